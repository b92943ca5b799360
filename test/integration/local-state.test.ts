/**
 * Local state made by an earlier version: a table without an index the system now declares is
 * rebuilt with its items (dynalite cannot add an index), and a rebuild cut short restores them.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { describe, expect, it } from 'vitest';
import { system } from '../../infra/system';
import { provisionTable, rebuildFile } from '../../local/local-tables';
import { startLocalSystem } from '../../local/runtime';

/** An ingest run as the table held it before the status index existed. */
const oldRun: Record<string, AttributeValue> = {
  runId: { S: '2026-10-rsh-0123456789abcdef' },
  objectKey: { S: 'extracts/2026-10/rsh.csv' },
  cut: { S: '2026-10' },
  source: { S: 'rsh' },
  status: { S: 'done' },
  chunkCount: { N: '3' },
  bucketCount: { N: '2' },
  chunksDone: { SS: ['0', '1', '2'] },
  bucketsDone: { SS: ['0', '1'] },
  bytes: { N: '1000' },
  createdAt: { S: '2026-11-02T10:00:00.000Z' },
  updatedAt: { S: '2026-11-02T10:05:00.000Z' },
};

/** Creates `tableName` keyed by run with the cut index only, as an earlier version did. */
async function createOldRunsTable(db: DynamoDBClient, tableName: string): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'runId', AttributeType: 'S' },
        { AttributeName: 'cut', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'runId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byCut',
          KeySchema: [
            { AttributeName: 'cut', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  // A new table is CREATING for a moment, as in DynamoDB: a write before it is ACTIVE is refused.
  await waitUntilTableExists(
    { client: db, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
    { TableName: tableName },
  );
  await db.send(new PutItemCommand({ TableName: tableName, Item: oldRun }));
}

const doneByStatus = (db: DynamoDBClient, tableName: string) =>
  db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'byStatus',
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: 'done' } },
    }),
  );

describe('local state of an earlier version', () => {
  it('starts on a run table that lacks the status index, keeping its items', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'san-state-'));
    const first = await startLocalSystem({ dataDir, port: 0, reset: true });
    const runsTable = first.names.tables.ingestRuns;
    await first.clients.dynamodb.send(new DeleteTableCommand({ TableName: runsTable }));
    await waitUntilTableNotExists(
      { client: first.clients.dynamodb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { TableName: runsTable },
    );
    await createOldRunsTable(first.clients.dynamodb, runsTable);
    await first.stop();

    const lines: string[] = [];
    const local = await startLocalSystem({ dataDir, port: 0, log: (l) => lines.push(l) });
    try {
      expect(lines.join('\n')).toMatch(
        /san-ingest-runs: reconstruida .*byStatus.*conservando sus 1 elementos/,
      );
      const found = await doneByStatus(local.clients.dynamodb, runsTable);
      expect(found.Items?.map((i) => i.runId?.S)).toEqual([oldRun.runId?.S]);
      const kept = await local.clients.dynamodb.send(
        new GetItemCommand({ TableName: runsTable, Key: { runId: oldRun.runId as AttributeValue } }),
      );
      expect(kept.Item).toEqual(oldRun);
      expect(existsSync(rebuildFile(dataDir, runsTable))).toBe(false);
    } finally {
      await local.stop();
    }
  });

  it('restores the items of a rebuild that was cut short after the table was dropped', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'san-state-'));
    const server = dynalite({ path: join(dataDir, 'db'), createTableMs: 0, deleteTableMs: 0 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const db = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    try {
      // The previous start had written the items aside and dropped the table, then stopped.
      await writeFile(rebuildFile(dataDir, 'runs'), JSON.stringify([oldRun]));

      const line = await provisionTable(db, 'runs', system.tables.ingestRuns, dataDir);

      expect(line).toContain('restaurados 1 elementos');
      expect((await doneByStatus(db, 'runs')).Items).toEqual([oldRun]);
      expect(existsSync(rebuildFile(dataDir, 'runs'))).toBe(false);
      expect(await provisionTable(db, 'runs', system.tables.ingestRuns, dataDir)).toBeUndefined();
    } finally {
      db.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

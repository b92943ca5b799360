/**
 * The ingest watchdog's handler and the run store queries it relies on, against mocked DynamoDB
 * and S3: only the stale items of the active statuses are read, and a stalled run gets its
 * failure, its rejected report and its end, in that order.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoRunStore } from '../../../functions/ingest/adapters/dynamo-run-store';
import { createHandler } from '../../../functions/ingest/watchdog/app';
import { context } from '../fixtures';
import { runRecord } from './memory-ports';

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);

const stale = {
  ...runRecord({ updatedAt: '2020-01-01T00:00:00.000Z' }),
  chunksDone: new Set(['0', '2']),
  bucketsDone: new Set<string>(),
};

describe('run store queries for recovery', () => {
  beforeEach(() => ddb.reset());
  const store = new DynamoRunStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'runs');

  it('reads the processing and publishing partitions of the status index, only before the cut-off', async () => {
    ddb.on(QueryCommand).resolves({ Items: [stale] });
    const runs = await store.active('2026-11-02T12:00:00.000Z');
    const inputs = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.IndexName, i.ExpressionAttributeValues?.[':s']])).toEqual([
      ['byStatus', 'processing'],
      ['byStatus', 'publishing'],
    ]);
    for (const i of inputs) {
      expect(i.KeyConditionExpression).toBe('#status = :s AND updatedAt < :before');
      expect(i.ExpressionAttributeValues?.[':before']).toBe('2026-11-02T12:00:00.000Z');
    }
    expect(runs[0]?.chunksDone).toBe(2);
  });

  it('says which chunks, buckets and identity parts are done, by index', async () => {
    ddb.on(GetCommand).resolves({ Item: { runId: 'r', chunksDone: new Set(['10', '2', '0']) } });
    expect(await store.progress('r')).toEqual({ chunks: [0, 2, 10], buckets: [], parts: [] });
    ddb.on(GetCommand).resolves({
      Item: { runId: 'r', bucketsDone: new Set(['1']), partsPublished: new Set(['1/2', '0/0']) },
    });
    expect(await store.progress('r')).toEqual({ chunks: [], buckets: [1], parts: ['0/0', '1/2'] });
    ddb.on(GetCommand).resolves({});
    expect(await store.progress('r')).toBeUndefined();
  });
});

describe('ingest watchdog', () => {
  beforeEach(() => {
    ddb.reset();
    s3.reset();
  });
  const handler = createHandler({
    AWS_REGION: 'us-east-1',
    INGEST_RUNS_TABLE: 'runs',
    RAW_BUCKET: 'raw-bucket',
    INGEST_STALL_MINUTES: '120',
  });

  it('fails a stalled run, writes its rejected report and ends it', async () => {
    ddb.on(QueryCommand).callsFake(async (input: { ExpressionAttributeValues: Record<string, string> }) => ({
      Items: input.ExpressionAttributeValues[':s'] === 'processing' ? [stale] : [],
    }));
    ddb.on(GetCommand).resolves({ Item: stale });
    ddb.on(UpdateCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});

    const result = await handler({} as never, context);

    expect(result).toEqual({ failed: [{ runId: stale.runId, objectKey: stale.objectKey }] });
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates[0]?.UpdateExpression).toContain('failure');
    expect(JSON.stringify(updates[0]?.ExpressionAttributeValues)).toContain('processing-failed');
    expect(updates[1]?.ExpressionAttributeValues?.[':s']).toBe('rejected');
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put?.Bucket).toBe('raw-bucket');
    expect(put?.Key).toBe('extracts/2026-10/rsh.csv.report.json');
    expect(JSON.parse(String(put?.Body))).toMatchObject({
      status: 'rejected',
      error: { problem: 'processing-failed' },
    });
  });

  it('refuses to start with a stall threshold that is not a positive number', () => {
    expect(() =>
      createHandler({ INGEST_RUNS_TABLE: 'runs', RAW_BUCKET: 'raw-bucket', INGEST_STALL_MINUTES: '0' }),
    ).toThrow(/INGEST_STALL_MINUTES/);
  });

  it('refuses to start without a stall threshold', () => {
    expect(() => createHandler({ INGEST_RUNS_TABLE: 'runs', RAW_BUCKET: 'raw-bucket' })).toThrow(
      /INGEST_STALL_MINUTES: /,
    );
  });
});

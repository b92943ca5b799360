/**
 * Local tables as the system definition declares them, on dynalite. A table missing is created. A
 * table keyed otherwise than the definition is refused (its items would not fit the code). A table
 * whose secondary indexes differ — a version added one — is rebuilt with its items, because
 * dynalite cannot add an index to a table: the items are first written to a file in the state
 * folder, so that a start interrupted half-way restores them on the next start. (Items are kept
 * as DynamoDB JSON; none of the system's tables holds binary attributes, which JSON would not keep.)
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttributeValue, DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  ScanCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import type { TableDef } from '../infra/system';
import { createTableInput, indexesDiffer } from './tables';

/** The state folder holds tables whose keys differ from the system definition's. */
export class LocalStateError extends Error {
  override readonly name = 'LocalStateError';
}

type Item = Record<string, AttributeValue>;

/** Where a table's items wait while it is rebuilt. */
export const rebuildFile = (dataDir: string, tableName: string): string =>
  join(dataDir, `rebuild-${tableName}.json`);

/**
 * Makes the local table `tableName` match `def`. Returns a line for the start log when something
 * was done to an existing table, else undefined.
 */
export async function provisionTable(
  dynamodb: DynamoDBClient,
  tableName: string,
  def: TableDef,
  dataDir: string,
): Promise<string | undefined> {
  const pending = await readPendingRebuild(dataDir, tableName);
  let table = await describe(dynamodb, tableName);
  if (pending) {
    // A rebuild was interrupted: the file holds every item the table had.
    if (table && !sameIndexes(table, def)) await dropTable(dynamodb, tableName);
    if (!table || !sameIndexes(table, def)) await createTable(dynamodb, tableName, def);
    await putAll(dynamodb, tableName, pending);
    await rm(rebuildFile(dataDir, tableName), { force: true });
    return `tabla local ${tableName}: restaurados ${pending.length} elementos de una reconstrucción interrumpida`;
  }
  if (!table) {
    await createTable(dynamodb, tableName, def);
    return undefined;
  }
  const kept = (table.KeySchema ?? []).map((k) => k.AttributeName).join(', ');
  const defined = [def.partitionKey.name, ...(def.sortKey ? [def.sortKey.name] : [])].join(', ');
  if (kept !== defined) {
    throw new LocalStateError(
      `the local ${tableName} table is keyed by (${kept}) but the system now defines (${defined}): the state in ` +
        `${dataDir} was made by an earlier version; start with --reset to rebuild it`,
    );
  }
  if (sameIndexes(table, def)) return undefined;
  const items = await scanAll(dynamodb, tableName);
  // Written whole or not at all: a half-written file would lose items on the next start.
  const file = rebuildFile(dataDir, tableName);
  await writeFile(`${file}.partial`, JSON.stringify(items));
  await rename(`${file}.partial`, file);
  await dropTable(dynamodb, tableName);
  await createTable(dynamodb, tableName, def);
  await putAll(dynamodb, tableName, items);
  await rm(rebuildFile(dataDir, tableName), { force: true });
  table = await describe(dynamodb, tableName);
  const names = (table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).join(', ');
  return `tabla local ${tableName}: reconstruida con los índices del sistema (${names}), conservando sus ${items.length} elementos`;
}

async function describe(dynamodb: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Whether the table's indexes are the definition's, keys and projections alike. */
function sameIndexes(table: TableDescription, def: TableDef): boolean {
  return indexesDiffer(table, def) === undefined;
}

async function createTable(dynamodb: DynamoDBClient, tableName: string, def: TableDef): Promise<void> {
  await dynamodb.send(new CreateTableCommand(createTableInput(tableName, def)));
  await waitUntilTableExists(
    { client: dynamodb, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
    { TableName: tableName },
  );
}

async function dropTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
  // Deletion finishes in the background, as in DynamoDB.
  await waitUntilTableNotExists(
    { client: dynamodb, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
    { TableName: tableName },
  );
}

async function scanAll(dynamodb: DynamoDBClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const out = await dynamodb.send(
      new ScanCommand({ TableName: tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

async function putAll(dynamodb: DynamoDBClient, tableName: string, items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const out = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
  }
}

async function readPendingRebuild(dataDir: string, tableName: string): Promise<Item[] | undefined> {
  let text: string;
  try {
    text = await readFile(rebuildFile(dataDir, tableName), 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as Item[];
}

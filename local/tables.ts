/**
 * The local runtime's DynamoDB tables: created as `infra/system.ts` defines them, and an existing
 * state checked against the definition. dynalite can neither re-key a table nor add an index to
 * one, so a table an earlier version made differently (other keys, or other indexes) is refused
 * with a message saying to reset, rather than failing later at the first query on a missing index.
 */
import type {
  AttributeDefinition,
  CreateTableCommandInput,
  DynamoDBClient,
  GlobalSecondaryIndex,
  GlobalSecondaryIndexDescription,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import type { IndexDef, TableDef } from '../infra/system';

/** The state folder holds tables whose keys or indexes differ from the system definition's. */
export class LocalStateError extends Error {
  override readonly name = 'LocalStateError';
}

function projectionOf(index: IndexDef): GlobalSecondaryIndex['Projection'] {
  if (index.nonKeyAttributes === undefined) return { ProjectionType: 'ALL' };
  if (index.nonKeyAttributes.length === 0) return { ProjectionType: 'KEYS_ONLY' };
  return { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] };
}

/** The CreateTable request for `def`, on-demand, with its indexes. */
export function createTableInput(tableName: string, def: TableDef): CreateTableCommandInput {
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of [
    def.partitionKey,
    def.sortKey,
    ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  }
  const indexes: GlobalSecondaryIndex[] = def.indexes.map((i) => ({
    IndexName: i.name,
    KeySchema: [
      { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
    ],
    Projection: projectionOf(i),
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()],
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

type IndexShape = Pick<GlobalSecondaryIndexDescription, 'IndexName' | 'KeySchema' | 'Projection'>;

const indexText = (index: IndexShape): string => {
  const keys = (index.KeySchema ?? []).map((k) => k.AttributeName).join(', ');
  const projection = index.Projection;
  const carried =
    projection?.ProjectionType === 'INCLUDE'
      ? `; ${[...(projection.NonKeyAttributes ?? [])].sort().join(', ')}`
      : projection?.ProjectionType === 'KEYS_ONLY'
        ? '; keys only'
        : '';
  return `${index.IndexName} (${keys}${carried})`;
};

const indexesText = (indexes: readonly IndexShape[]): string =>
  indexes.length === 0 ? 'no index' : indexes.map(indexText).sort().join(', ');

/**
 * How the table `described` differs from `def`, in words ending with what to do; undefined when it
 * is as defined.
 */
export function tableStateProblem(
  id: string,
  described: TableDescription,
  def: TableDef,
  dataDir: string,
): string | undefined {
  const remedy = `the state in ${dataDir} was made by an earlier version; start with --reset to rebuild it`;
  const wanted = createTableInput(id, def);
  const kept = (described.KeySchema ?? []).map((k) => k.AttributeName).join(', ');
  const defined = (wanted.KeySchema ?? []).map((k) => k.AttributeName).join(', ');
  if (kept !== defined) {
    return `the local ${id} table is keyed by (${kept}) but the system now defines (${defined}): ${remedy}`;
  }
  const keptIndexes = indexesText(described.GlobalSecondaryIndexes ?? []);
  const definedIndexes = indexesText(wanted.GlobalSecondaryIndexes ?? []);
  if (keptIndexes !== definedIndexes) {
    return `the local ${id} table has ${keptIndexes} but the system now defines ${definedIndexes}: ${remedy}`;
  }
  return undefined;
}

/** Creates the table if it is missing; throws LocalStateError if it exists but differs from `def`. */
export async function ensureTable(
  dynamodb: DynamoDBClient,
  id: string,
  tableName: string,
  def: TableDef,
  dataDir: string,
): Promise<void> {
  let described: TableDescription | undefined;
  try {
    described = (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  if (!described) {
    await dynamodb.send(new CreateTableCommand(createTableInput(tableName, def)));
    return;
  }
  const problem = tableStateProblem(id, described, def, dataDir);
  if (problem) throw new LocalStateError(problem);
}

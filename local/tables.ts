/**
 * The local runtime's DynamoDB tables as `infra/system.ts` defines them: the CreateTable request
 * (keys, indexes and their projections) and how an existing table's indexes differ from it.
 * `local-tables.ts` creates, checks and rebuilds the tables with these.
 */
import type {
  AttributeDefinition,
  CreateTableCommandInput,
  GlobalSecondaryIndex,
  GlobalSecondaryIndexDescription,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { IndexDef, TableDef } from '../infra/system';

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
 * How the indexes of the table `described` differ from `def` (keys and projections), in words;
 * undefined when they are as defined.
 */
export function indexesDiffer(
  described: Pick<TableDescription, 'GlobalSecondaryIndexes'>,
  def: TableDef,
): string | undefined {
  const kept = indexesText(described.GlobalSecondaryIndexes ?? []);
  const defined = indexesText(createTableInput('table', def).GlobalSecondaryIndexes ?? []);
  return kept === defined ? undefined : `has ${kept} but the system now defines ${defined}`;
}

/** IdentityReader and AccessLog on DynamoDB. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessLog, AccessLogEntry, IdentityReader, StoredIdentity } from '../domain/identity-access';

export class DynamoIdentityReader implements IdentityReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordsOf(childId: string): Promise<readonly StoredIdentity[]> {
    // One item per source: a handful per child, well inside one page.
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'childId = :c',
        ExpressionAttributeValues: { ':c': childId },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).filter(isStoredIdentity);
  }
}

export class DynamoAccessLog implements AccessLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: AccessLogEntry): Promise<void> {
    // Entries are only ever added: an existing (childId, at) is never overwritten.
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...entry },
        ConditionExpression: 'attribute_not_exists(childId)',
      }),
    );
  }
}

const optionalText = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** An item read back with the shape the ingest and alert paths write. */
function isStoredIdentity(item: Record<string, unknown>): item is StoredIdentity & Record<string, unknown> {
  return (
    typeof item.childId === 'string' &&
    typeof item.run === 'string' &&
    typeof item.comuna === 'string' &&
    ['givenNames', 'paternalSurname', 'maternalSurname', 'address', 'source', 'cut'].every((k) =>
      optionalText(item[k]),
    )
  );
}

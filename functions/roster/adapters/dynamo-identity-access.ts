/** IdentityReader and AccessLog on DynamoDB. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessLog, AccessLogEntry, IdentityReader, StoredIdentity } from '../domain/identity-access';

export class DynamoIdentityReader implements IdentityReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(childId: string): Promise<StoredIdentity | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { childId }, ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item || typeof item.run !== 'string' || typeof item.comuna !== 'string') return undefined;
    return item as StoredIdentity;
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

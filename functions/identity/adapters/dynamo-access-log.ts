/** AccessLog on DynamoDB: an append-only audit trail of every request for personal data. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessLog, AccessLogEntry } from '../domain/access';

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

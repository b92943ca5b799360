/** AlertStore on DynamoDB. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredAlert } from '../domain/alert';
import type { AlertStore } from '../domain/ports';

export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(alert: StoredAlert): Promise<'created' | 'exists'> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...alert },
          ConditionExpression: 'attribute_not_exists(alertId)',
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      throw error;
    }
  }

  async get(alertId: string): Promise<StoredAlert | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { alertId }, ConsistentRead: true }),
    );
    return out.Item ? storedAlertOf(out.Item) : undefined;
  }

  async ofChild(childId: string): Promise<StoredAlert[]> {
    const items: StoredAlert[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byChild',
          KeyConditionExpression: 'childId = :c',
          ExpressionAttributeValues: { ':c': childId },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []).map(storedAlertOf));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

/** An alert as stored; one stored before alerts were routed was handled where it was raised. */
function storedAlertOf(item: Record<string, unknown>): StoredAlert {
  const alert = item as unknown as StoredAlert;
  return alert.raisedInComuna === undefined ? { ...alert, raisedInComuna: alert.comuna } : alert;
}

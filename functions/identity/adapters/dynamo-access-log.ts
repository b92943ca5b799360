/**
 * AccessLog on DynamoDB: an append-only audit trail of every request for personal data, keyed by
 * child and time, with the `bySubject` index for one user's requests. Read by the audit route.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type {
  AccessLog,
  AccessLogEntry,
  AccessLogPage,
  AccessLogQuery,
  AccessLogReader,
} from '../domain/access';
import { accessLogRange } from '../domain/access';

/** A cursor this reader did not give. */
export class AccessLogCursorError extends Error {
  override readonly name = 'AccessLogCursorError';
}

export class DynamoAccessLog implements AccessLog, AccessLogReader {
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

  async query(query: AccessLogQuery): Promise<AccessLogPage> {
    const { low, high } = accessLogRange(query.from, query.to);
    const byChild = 'childId' in query.by;
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(byChild ? {} : { IndexName: 'bySubject' }),
        KeyConditionExpression: `${byChild ? 'childId' : 'subject'} = :key AND #at BETWEEN :low AND :high`,
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: {
          ':key': 'childId' in query.by ? query.by.childId : query.by.subject,
          ':low': low,
          ':high': high,
        },
        Limit: query.limit,
        ...(query.cursor ? { ExclusiveStartKey: decodeCursor(query.cursor) } : {}),
      }),
    );
    return {
      entries: (out.Items ?? []) as AccessLogEntry[],
      ...(out.LastEvaluatedKey
        ? { nextCursor: Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') }
        : {}),
    };
  }
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof key === 'object' && key !== null && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new AccessLogCursorError('el cursor no es válido: use el nextCursor de la página anterior');
}

/**
 * Notices on DynamoDB and SNS: each notice is kept in the notifications table (what the
 * notifications route lists) and published to the notifications topic (what reaches the
 * coordinators' e-mail or phones in the cloud), with the message attributes subscriptions filter
 * on. Kept first, under its stable id, then published, then marked published: a notice filed again
 * is published again only if its publishing failed, so a person gets it at least once and a
 * redelivery does not send it twice.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodePageKey, encodePageKey } from '../../shared/adapters/page-cursor';
import type { Notice } from '../domain/notifications';
import type { NoticeStore, Notifier } from '../domain/ports';

const sortKeyOf = (notice: Notice): string => `${notice.dueAt}#${notice.noticeId}`;

export class DynamoNoticeStore implements NoticeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Keeps `notice` unless kept before; answers whether it still has to be published. */
  async keep(notice: Notice): Promise<boolean> {
    const key = { comuna: notice.comuna, sortKey: sortKeyOf(notice) };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...notice, published: false },
          ConditionExpression: 'attribute_not_exists(sortKey)',
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const held = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return held.Item?.published !== true;
  }

  async markPublished(notice: Notice, messageId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { comuna: notice.comuna, sortKey: sortKeyOf(notice) },
        UpdateExpression: 'SET published = :true, messageId = :id',
        ExpressionAttributeValues: { ':true': true, ':id': messageId },
      }),
    );
  }

  async listByComuna(
    comuna: string,
    query: { readonly audiences: readonly string[]; readonly limit: number; readonly cursor?: string },
  ): Promise<{ notices: Notice[]; nextCursor?: string }> {
    const listing = JSON.stringify([comuna, [...query.audiences].sort()]);
    let start = query.cursor ? decodePageKey(query.cursor, listing) : undefined;
    const notices: Notice[] = [];
    const values: Record<string, unknown> = { ':c': comuna };
    query.audiences.forEach((a, i) => {
      values[`:a${i}`] = a;
    });
    for (let queries = 0; queries < 8 && notices.length < query.limit; queries++) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'comuna = :c',
          FilterExpression: `audience IN (${query.audiences.map((_, i) => `:a${i}`).join(', ')})`,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: query.limit - notices.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      notices.push(...(out.Items ?? []).map(noticeOf));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return { notices, ...(start ? { nextCursor: encodePageKey(start, listing) } : {}) };
  }
}

function noticeOf(item: Record<string, unknown>): Notice {
  const { comuna, noticeId, kind, audience, region, alertId, childId, riskFactor, dueAt, text } =
    item as unknown as Notice;
  return { comuna, noticeId, kind, audience, region, alertId, childId, riskFactor, dueAt, text };
}

export class TopicNotifier implements Notifier {
  constructor(
    private readonly store: DynamoNoticeStore,
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(notice: Notice): Promise<void> {
    if (!(await this.store.keep(notice))) return;
    const out = await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notice.kind === 'escalamiento' ? 'SAN: alerta urgente escalada' : 'SAN: alerta urgente',
        Message: JSON.stringify(notice),
        MessageAttributes: {
          comuna: { DataType: 'String', StringValue: notice.comuna },
          region: { DataType: 'String', StringValue: notice.region },
          audience: { DataType: 'String', StringValue: notice.audience },
          kind: { DataType: 'String', StringValue: notice.kind },
        },
      }),
    );
    await this.store.markPublished(notice, out.MessageId ?? '');
  }
}

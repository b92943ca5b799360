/** AlertStore on DynamoDB. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodePageKey, encodePageKey } from '../../shared/adapters/page-cursor';
import type { StoredAlert } from '../domain/alert';
import { OPEN_STATES } from '../domain/alert';
import type { AlertListQuery, AlertPage, AlertStore } from '../domain/ports';

/** Queries a listing may make to fill one page when the filters leave most items out. */
const MAX_QUERIES_PER_PAGE = 8;

export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The table of which alert is the open one of a child for a risk factor (for the functions that file or close alerts). */
    private readonly openAlertsTable?: string,
  ) {}

  private get openTableName(): string {
    if (!this.openAlertsTable) throw new Error('this alert store was built without the open-alerts table');
    return this.openAlertsTable;
  }

  async claimOpen(alert: StoredAlert, from?: string): Promise<string> {
    const openKey = `${alert.childId}#${alert.riskFactor}`;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.openTableName,
          Item: { openKey, alertId: alert.alertId, comuna: alert.comuna },
          ConditionExpression:
            from === undefined
              ? 'attribute_not_exists(openKey) OR alertId = :mine'
              : 'alertId = :from OR alertId = :mine',
          ExpressionAttributeValues: {
            ':mine': alert.alertId,
            ...(from !== undefined ? { ':from': from } : {}),
          },
        }),
      );
      return alert.alertId;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const held = await this.db.send(
      new GetCommand({ TableName: this.openTableName, Key: { openKey }, ConsistentRead: true }),
    );
    // Given up between the two requests: claim it again.
    return typeof held.Item?.alertId === 'string' ? held.Item.alertId : this.claimOpen(alert);
  }

  async releaseOpen(alert: StoredAlert): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.openTableName,
          Key: { openKey: `${alert.childId}#${alert.riskFactor}` },
          ConditionExpression: 'alertId = :mine',
          ExpressionAttributeValues: { ':mine': alert.alertId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

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

  async update(alert: StoredAlert, read: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...alert, version: read + 1 },
          // An alert stored before alerts had versions is version 1.
          ConditionExpression: 'version = :read OR (attribute_not_exists(version) AND :read = :one)',
          ExpressionAttributeValues: { ':read': read, ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async awaitingAcknowledgement(before: string): Promise<StoredAlert[]> {
    return this.queryAll({
      IndexName: 'byAwaitingAck',
      KeyConditionExpression: 'awaitingAck = :urgent AND receivedAt <= :before',
      FilterExpression: 'attribute_not_exists(escalatedAt)',
      ExpressionAttributeValues: { ':urgent': 'urgente', ':before': before },
    });
  }

  async awaitingIdentification(): Promise<StoredAlert[]> {
    return this.queryAll({
      IndexName: 'byAwaitingIdentity',
      KeyConditionExpression: 'awaitingIdentity = :p',
      ExpressionAttributeValues: { ':p': 'provisional' },
    });
  }

  async markEscalated(alertId: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { alertId },
          // A change like any other: a transition written over the version before it is refused.
          UpdateExpression: 'SET escalatedAt = :at, version = if_not_exists(version, :one) + :one',
          ConditionExpression: 'attribute_exists(awaitingAck) AND attribute_not_exists(escalatedAt)',
          ExpressionAttributeValues: { ':at': at, ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
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
    return this.queryAll({
      IndexName: 'byChild',
      KeyConditionExpression: 'childId = :c',
      ExpressionAttributeValues: { ':c': childId },
    });
  }

  /** Every item a query of the table answers, page after page. */
  private async queryAll(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  ): Promise<StoredAlert[]> {
    const items: StoredAlert[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []).map(storedAlertOf));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async listByComuna(comuna: string, query: AlertListQuery): Promise<AlertPage> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':c': comuna };
    const filters: string[] = [];
    if (query.state !== undefined) {
      names['#state'] = 'state';
      values[':state'] = query.state;
      filters.push('#state = :state');
    } else if (query.openOnly) {
      names['#state'] = 'state';
      const open = [...OPEN_STATES];
      open.forEach((s, i) => {
        values[`:open${i}`] = s;
      });
      filters.push(`#state IN (${open.map((_, i) => `:open${i}`).join(', ')})`);
    }
    if (query.riskFactor !== undefined) {
      values[':risk'] = query.riskFactor;
      filters.push('riskFactor = :risk');
    }
    if (query.urgent !== undefined) {
      values[':urgent'] = query.urgent;
      filters.push('urgent = :urgent');
    }
    if (!query.includeRepeats) filters.push('attribute_not_exists(repeatOf)');
    // The age of an alert is a range of the index's sort key, read without filtering.
    let keyCondition = 'comuna = :c';
    if (query.receivedAfter !== undefined && query.receivedBefore !== undefined) {
      keyCondition += ' AND receivedAt BETWEEN :after AND :before';
    } else if (query.receivedBefore !== undefined) {
      keyCondition += ' AND receivedAt <= :before';
    } else if (query.receivedAfter !== undefined) {
      keyCondition += ' AND receivedAt >= :after';
    }
    if (query.receivedAfter !== undefined) values[':after'] = query.receivedAfter;
    if (query.receivedBefore !== undefined) values[':before'] = query.receivedBefore;

    const listing = JSON.stringify([comuna, { ...query, limit: undefined, cursor: undefined }]);
    let start = query.cursor ? decodePageKey(query.cursor, listing) : undefined;
    const alerts: StoredAlert[] = [];
    for (let queries = 0; queries < MAX_QUERIES_PER_PAGE; queries++) {
      const wanted = query.limit - alerts.length;
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byComuna',
          KeyConditionExpression: keyCondition,
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          // A filter leaves items out after they are read: read ahead, so that a page takes fewer queries.
          Limit: filters.length > 0 ? Math.min(200, wanted * 4) : wanted,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = out.Items ?? [];
      const taken = items.slice(0, wanted);
      alerts.push(...taken.map(storedAlertOf));
      // Items read past the page: the next page starts after the last one taken.
      const last = taken.at(-1);
      start =
        taken.length < items.length && last
          ? { alertId: last.alertId, comuna: last.comuna, receivedAt: last.receivedAt }
          : out.LastEvaluatedKey;
      if (!start || alerts.length >= query.limit) break;
    }
    return { alerts, ...(start ? { nextCursor: encodePageKey(start, listing) } : {}) };
  }
}

/** An alert as stored; one stored before alerts were routed was handled where it was raised. */
function storedAlertOf(item: Record<string, unknown>): StoredAlert {
  const alert = item as unknown as StoredAlert;
  return alert.raisedInComuna === undefined ? { ...alert, raisedInComuna: alert.comuna } : alert;
}

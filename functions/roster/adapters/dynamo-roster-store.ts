/**
 * RosterStore on DynamoDB. One item per (comuna, child) plus a `#meta` item per comuna with its
 * current cut. Two sparse indexes give the order: `byAlert` (children with an open alert) and
 * `byScore` (scored children); a third, `byChild`, finds the comunas whose rosters hold a child.
 * Scoring and alerts update disjoint attributes, so neither can undo the other's write; alert
 * updates use an optimistic version check.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { scoreKey } from '../../score/domain/prioritise';
import type {
  AlertSummary,
  RosterEntry,
  RosterPage,
  RosterPlacement,
  RosterStore,
  ScoreUpdate,
  ScoringRun,
} from '../domain/roster';
import { alertKey, InvalidCursorError } from '../domain/roster';

const META = '#meta';
const WRITE_CONCURRENCY = 16;
const MAX_VERSION_RETRIES = 8;

type Item = Record<string, unknown>;

interface Cursor {
  readonly phase: 'alert' | 'score';
  readonly key?: Item;
}

export class DynamoRosterStore implements RosterStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async writeScores(
    run: Omit<ScoringRun, 'scored' | 'inputs'>,
    updates: readonly ScoreUpdate[],
  ): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < updates.length) {
        const u = updates[next++];
        if (!u) return;
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { comuna: run.comuna, childId: u.childId },
            UpdateExpression:
              'SET probability = :p, ventile = :v, reasons = :r, modelVersion = :mv, scoredAt = :at, #cut = :cut, ' +
              'scoreKey = :sk, provisional = :false, origin = if_not_exists(origin, :origin)',
            ExpressionAttributeNames: { '#cut': 'cut' },
            ExpressionAttributeValues: {
              ':p': u.probability,
              ':v': u.ventile,
              ':r': u.reasons,
              ':mv': run.modelVersion,
              ':at': run.scoredAt,
              ':cut': run.cut,
              ':sk': scoreKey(u.probability, u.childId),
              ':false': false,
              ':origin': 'predictivo',
            },
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, updates.length) }, worker));
  }

  async completeRun(run: ScoringRun): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          comuna: run.comuna,
          childId: META,
          currentCut: run.cut,
          modelVersion: run.modelVersion,
          scoredAt: run.scoredAt,
          scored: run.scored,
          inputs: run.inputs,
        },
      }),
    );
  }

  async lastInputs(comuna: string, cut: string): Promise<string | undefined> {
    const meta = await this.meta(comuna);
    return meta?.currentCut === cut && typeof meta.inputs === 'string' ? meta.inputs : undefined;
  }

  async recordAlert(comuna: string, childId: string, alert: AlertSummary): Promise<void> {
    await this.updateAlerts(comuna, childId, (alerts) =>
      alerts.some((a) => a.alertId === alert.alertId) ? undefined : [...alerts, alert],
    );
  }

  async recordRepeatReport(
    comuna: string,
    childId: string,
    alertId: string,
    repeatAlertId: string,
  ): Promise<void> {
    await this.updateAlerts(comuna, childId, (alerts) => {
      const target = alerts.find((a) => a.alertId === alertId);
      if (!target || target.repeatAlertIds.includes(repeatAlertId)) return undefined;
      return alerts.map((a) =>
        a === target ? { ...a, repeatAlertIds: [...a.repeatAlertIds, repeatAlertId] } : a,
      );
    });
  }

  /** Read-modify-write of the alert list under a version check; `change` returns undefined for no-op. */
  private async updateAlerts(
    comuna: string,
    childId: string,
    change: (alerts: readonly AlertSummary[]) => AlertSummary[] | undefined,
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_VERSION_RETRIES; attempt++) {
      const current = (
        await this.db.send(
          new GetCommand({ TableName: this.tableName, Key: { comuna, childId }, ConsistentRead: true }),
        )
      ).Item;
      const alerts = change((current?.alerts as AlertSummary[] | undefined) ?? []);
      if (!alerts) return;
      const version = typeof current?.alertVersion === 'number' ? current.alertVersion : 0;
      const key = alertKey(alerts);
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { comuna, childId },
            UpdateExpression:
              `SET alerts = :alerts, alertVersion = :next, origin = if_not_exists(origin, :manual), ` +
              `provisional = if_not_exists(provisional, :true)${key ? ', alertKey = :ak' : ''}` +
              (key ? '' : ' REMOVE alertKey'),
            ConditionExpression: current
              ? 'alertVersion = :version OR (attribute_not_exists(alertVersion) AND :version = :zero)'
              : 'attribute_not_exists(childId)',
            ExpressionAttributeValues: {
              ':alerts': alerts,
              ':next': version + 1,
              ':manual': 'manual',
              ':true': true,
              ...(key ? { ':ak': key } : {}),
              ...(current ? { ':version': version, ':zero': 0 } : {}),
            },
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`roster entry ${comuna}/${childId} kept changing; alert update abandoned for a retry`);
  }

  async page(comuna: string, limit: number, cursor?: string): Promise<RosterPage> {
    const meta = await this.meta(comuna);
    let state: Cursor = cursor ? decodeCursor(cursor, comuna) : { phase: 'alert' };
    const entries: RosterEntry[] = [];
    while (entries.length < limit) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: state.phase === 'alert' ? 'byAlert' : 'byScore',
          KeyConditionExpression: 'comuna = :c',
          ...(state.phase === 'score'
            ? {
                FilterExpression: 'attribute_not_exists(alertKey) AND #cut = :cur',
                ExpressionAttributeNames: { '#cut': 'cut' },
              }
            : {}),
          ExpressionAttributeValues: {
            ':c': comuna,
            ...(state.phase === 'score' ? { ':cur': meta?.currentCut ?? '' } : {}),
          },
          Limit: limit - entries.length,
          ...(state.key ? { ExclusiveStartKey: state.key } : {}),
        }),
      );
      for (const item of out.Items ?? []) entries.push(toEntry(item));
      if (out.LastEvaluatedKey) {
        state = { phase: state.phase, key: out.LastEvaluatedKey };
      } else if (state.phase === 'alert') {
        state = { phase: 'score' };
      } else {
        return { entries, ...metaFields(meta) };
      }
    }
    return { entries, nextCursor: encodeCursor(state), ...metaFields(meta) };
  }

  async get(comuna: string, childId: string): Promise<RosterEntry | undefined> {
    if (childId === META) return undefined;
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { comuna, childId } }));
    return out.Item ? toEntry(out.Item) : undefined;
  }

  async placementsOf(childId: string): Promise<readonly RosterPlacement[]> {
    if (childId === META) return [];
    const placements: RosterPlacement[] = [];
    let start: Item | undefined;
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
      for (const item of out.Items ?? []) {
        placements.push({
          comuna: String(item.comuna),
          provisional: item.provisional === true,
          ...(typeof item.cut === 'string' ? { cut: item.cut } : {}),
        });
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return placements;
  }

  async *all(comuna: string): AsyncIterable<RosterEntry> {
    let cursor: string | undefined;
    do {
      const page = await this.page(comuna, 500, cursor);
      yield* page.entries;
      cursor = page.nextCursor;
    } while (cursor);
  }

  private async meta(comuna: string): Promise<Item | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { comuna, childId: META } }),
    );
    return out.Item;
  }
}

function metaFields(meta: Item | undefined): { currentCut?: string; modelVersion?: string } {
  return {
    ...(typeof meta?.currentCut === 'string' ? { currentCut: meta.currentCut } : {}),
    ...(typeof meta?.modelVersion === 'string' ? { modelVersion: meta.modelVersion } : {}),
  };
}

function toEntry(item: Item): RosterEntry {
  return {
    comuna: String(item.comuna),
    childId: String(item.childId),
    origin: (item.origin as RosterEntry['origin']) ?? 'predictivo',
    provisional: item.provisional === true,
    ...(typeof item.cut === 'string' ? { cut: item.cut } : {}),
    ...(typeof item.probability === 'number' ? { probability: item.probability } : {}),
    ...(typeof item.ventile === 'number' ? { ventile: item.ventile } : {}),
    ...(Array.isArray(item.reasons) ? { reasons: item.reasons as RosterEntry['reasons'] } : {}),
    ...(typeof item.modelVersion === 'string' ? { modelVersion: item.modelVersion } : {}),
    ...(typeof item.scoredAt === 'string' ? { scoredAt: item.scoredAt } : {}),
    ...(Array.isArray(item.alerts) ? { alerts: item.alerts as AlertSummary[] } : {}),
  };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const CURSOR_KEY_ATTRIBUTES = new Set(['comuna', 'childId', 'scoreKey', 'alertKey']);

/** A cursor this store issued for `comuna`: its key names only index attributes, as strings. */
function decodeCursor(text: string, comuna: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this API issued');
  }
  if (typeof value !== 'object' || value === null || !('phase' in value)) {
    throw new InvalidCursorError('the cursor is not one this API issued');
  }
  const phase = (value as { phase: unknown }).phase;
  if (phase !== 'alert' && phase !== 'score')
    throw new InvalidCursorError('the cursor is not one this API issued');
  const key = (value as { key?: unknown }).key;
  if (key === undefined) return { phase };
  const valid =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.entries(key).every(([k, v]) => CURSOR_KEY_ATTRIBUTES.has(k) && typeof v === 'string') &&
    (key as Item).comuna === comuna &&
    typeof (key as Item).childId === 'string';
  if (!valid) throw new InvalidCursorError('the cursor is not one this API issued for this comuna');
  return { phase, key: key as Item };
}

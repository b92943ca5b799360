/**
 * RosterStore on DynamoDB. One item per (comuna, child) plus a `#meta` item per comuna with its
 * current scoring run. Two sparse indexes give the order: `byAlert` (children with an open alert,
 * after the `#meta` item, so that a first page reads its run and its alerts in one query) and
 * `byScore` (scored children); later pages carry the run in their cursor, so a page of the nómina
 * costs at most two queries. A third index, `byChild`, finds the comunas whose rosters hold a child.
 * Scoring and alerts update disjoint attributes, so neither can undo the other's write; alert
 * updates use an optimistic version check.
 *
 * Every scored item carries the id and start time of the run that wrote it (`runId`, `scoredAt`).
 * Writes, the switch of `#meta` and the sweep of stale items are conditional on those, so a run
 * that started earlier (a redelivered or slow request) never overwrites, replaces or removes what a
 * later one wrote; readers show scores of the current run only.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  AlertSummary,
  CaseProjection,
  ChildFacts,
  RosterEntry,
  RosterPage,
  RosterPlacement,
  RosterStore,
  ScoreUpdate,
  ScoringRun,
  StaleSweep,
} from '../domain/roster';
import { alertKey, asManualEntry, entryForReaders, scoreKey, staleAction, withAlert } from '../domain/roster';
import type { Cursor, Item, MetaView } from './roster-items';
import {
  currentOf,
  currentRunFilter,
  decodeCursor,
  encodeCursor,
  metaFieldsOf,
  metaView,
  toEntry,
} from './roster-items';

const META = '#meta';
const WRITE_CONCURRENCY = 16;
const MAX_VERSION_RETRIES = 8;
/** A stale item that keeps changing under the sweep is left to the next run (readers hide it). */
const MAX_SWEEP_ATTEMPTS = 3;

/** An item scored by a run other than `:run` that started before `:at`. */
const STALE =
  'attribute_exists(scoreKey) AND (attribute_not_exists(runId) OR runId <> :run) AND scoredAt < :at';
const WITHOUT_ALERTS = '(attribute_not_exists(alerts) OR size(alerts) = :zero)';

/**
 * The `#meta` item's sort key in the alert index: before every alert key (`0#…`, `1#…`), so the
 * first page's one query of that index reads the comuna's current run with its alerted entries.
 */
const META_ALERT_KEY = META;

export class DynamoRosterStore implements RosterStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async writeScores(
    run: Omit<ScoringRun, 'scored' | 'inputs'>,
    updates: readonly ScoreUpdate[],
  ): Promise<void> {
    await eachConcurrently(updates, async (u) => {
      await ignoringConditionFailure(
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { comuna: run.comuna, childId: u.childId },
            UpdateExpression:
              'SET probability = :p, ventile = :v, reasons = :r, modelVersion = :mv, scoredAt = :at, #cut = :cut, household = :h, facts = :f, ' +
              `runId = :run, scoreKey = :sk, provisional = :false, origin = if_not_exists(origin, :origin)${u.demotion ? ', demotion = :d' : ' REMOVE demotion'}`,
            // An entry a later-started run wrote is its, not this run's.
            ConditionExpression: 'attribute_not_exists(scoredAt) OR scoredAt <= :at',
            ExpressionAttributeNames: { '#cut': 'cut' },
            ExpressionAttributeValues: {
              ':p': u.probability,
              ':v': u.ventile,
              ':r': u.reasons,
              ':h': u.family,
              ':f': u.facts,
              ':mv': run.modelVersion,
              ':at': run.scoredAt,
              ':cut': run.cut,
              ':run': run.runId,
              ':sk': scoreKey(u.probability, u.childId, u.demotion !== undefined),
              ...(u.demotion ? { ':d': u.demotion } : {}),
              ':false': false,
              ':origin': 'predictivo',
            },
          }),
        ),
      );
    });
  }

  async markHead(
    run: Pick<ScoringRun, 'comuna' | 'runId' | 'scoredAt'>,
    childIds: readonly string[],
  ): Promise<void> {
    const previous = currentOf(await this.meta(run.comuna))?.runId ?? '';
    await eachConcurrently(childIds, async (childId) => {
      const Key = { comuna: run.comuna, childId };
      // In the current run's head already (or this run's, on a retry): the child keeps its date.
      const kept = await ignoringConditionFailure(
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET headRun = :run',
            ConditionExpression:
              'runId = :run AND attribute_exists(headSince) AND (headRun = :run OR headRun = :prev)',
            ExpressionAttributeValues: { ':run': run.runId, ':prev': previous },
          }),
        ),
      );
      if (kept) return;
      await ignoringConditionFailure(
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET headRun = :run, headSince = :at',
            ConditionExpression: 'runId = :run',
            ExpressionAttributeValues: { ':run': run.runId, ':at': run.scoredAt },
          }),
        ),
      );
    });
  }

  async completeRun(run: ScoringRun): Promise<boolean> {
    return ignoringConditionFailure(
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            comuna: run.comuna,
            childId: META,
            currentCut: run.cut,
            runId: run.runId,
            modelVersion: run.modelVersion,
            scoredAt: run.scoredAt,
            scored: run.scored,
            inputs: run.inputs,
            alertKey: META_ALERT_KEY,
            ...(run.excluded ? { excluded: run.excluded } : {}),
          },
          ConditionExpression: 'attribute_not_exists(scoredAt) OR scoredAt <= :at',
          ExpressionAttributeValues: { ':at': run.scoredAt },
        }),
      ),
    );
  }

  async removeStale(run: Pick<ScoringRun, 'comuna' | 'runId' | 'scoredAt'>): Promise<StaleSweep> {
    let removed = 0;
    let unscored = 0;
    let startKey: Item | undefined;
    do {
      // The sparse score index holds exactly the scored items; pages are at most 1 MB each.
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byScore',
          KeyConditionExpression: 'comuna = :c',
          FilterExpression: '(attribute_not_exists(runId) OR runId <> :run) AND scoredAt < :at',
          ExpressionAttributeValues: { ':c': run.comuna, ':run': run.runId, ':at': run.scoredAt },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      await eachConcurrently(out.Items ?? [], async (item) => {
        const done = await this.sweepItem(run, item);
        if (done === 'delete') removed++;
        else if (done === 'unscore') unscored++;
      });
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    // Settled: a redelivered request for the same inputs may now be answered "unchanged".
    await ignoringConditionFailure(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { comuna: run.comuna, childId: META },
          UpdateExpression: 'SET settled = :true',
          ConditionExpression: 'runId = :run AND scoredAt = :at',
          ExpressionAttributeValues: { ':true': true, ':run': run.runId, ':at': run.scoredAt },
        }),
      ),
    );
    return { removed, unscored };
  }

  /** Deletes or unscores one stale item under a condition that it is still stale; re-reads on a race. */
  private async sweepItem(
    run: Pick<ScoringRun, 'comuna' | 'runId' | 'scoredAt'>,
    found: Item,
  ): Promise<'delete' | 'unscore' | undefined> {
    let item: Item | undefined = found;
    for (let attempt = 0; attempt < MAX_SWEEP_ATTEMPTS && item; attempt++) {
      const entry = toEntry(item);
      const action = staleAction(entry);
      const Key = { comuna: run.comuna, childId: entry.childId };
      const values = { ':run': run.runId, ':at': run.scoredAt, ':zero': 0 };
      const done = await ignoringConditionFailure(
        this.db.send(
          action === 'delete'
            ? new DeleteCommand({
                TableName: this.tableName,
                Key,
                ConditionExpression: `${STALE} AND ${WITHOUT_ALERTS}`,
                ExpressionAttributeValues: values,
              })
            : new UpdateCommand({
                TableName: this.tableName,
                Key,
                UpdateExpression:
                  'SET origin = :origin, provisional = :true ' +
                  'REMOVE probability, ventile, reasons, demotion, modelVersion, scoredAt, #cut, scoreKey, runId',
                ConditionExpression: `${STALE} AND size(alerts) > :zero`,
                ExpressionAttributeNames: { '#cut': 'cut' },
                ExpressionAttributeValues: {
                  ...values,
                  ':origin': asManualEntry(entry).origin,
                  ':true': true,
                },
              }),
        ),
      );
      if (done) return action;
      // An alert arrived, or a run wrote the entry meanwhile: judge it again as it is now.
      item = (await this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true })))
        .Item;
      if (item && !isStale(item, run)) return undefined;
    }
    return undefined;
  }

  async lastInputs(comuna: string, cut: string): Promise<string | undefined> {
    const meta = await this.meta(comuna);
    return meta?.currentCut === cut && meta.settled === true && typeof meta.inputs === 'string'
      ? meta.inputs
      : undefined;
  }

  async recordAlert(comuna: string, childId: string, alert: AlertSummary): Promise<void> {
    await this.updateAlerts(comuna, childId, (alerts) => withAlert(alerts, alert));
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
    let state: Cursor = cursor ? decodeCursor(cursor, comuna) : { phase: 'alert' };
    // A later page reads the run its first page read; the first page finds it as the first item of
    // its alert query (one request for both), or reads it apart for a `#meta` item written before.
    let run: MetaView | undefined = state.run;
    let first = cursor === undefined;
    const entries: RosterEntry[] = [];
    for (;;) {
      const wanted = limit - entries.length;
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: state.phase === 'alert' ? 'byAlert' : 'byScore',
          KeyConditionExpression: 'comuna = :c',
          ...(state.phase === 'score' ? currentRunFilter(run?.current) : {}),
          ExpressionAttributeValues: {
            ':c': comuna,
            ...(state.phase === 'score' ? { ':cur': run?.current?.runId ?? run?.current?.cut ?? '' } : {}),
          },
          Limit: wanted + (first ? 1 : 0),
          ...(state.key ? { ExclusiveStartKey: state.key } : {}),
        }),
      );
      let items = out.Items ?? [];
      if (first && items[0]?.childId === META) {
        run = metaView(items[0]);
        items = items.slice(1);
      }
      run ??= metaView(await this.meta(comuna));
      const current = run.current;
      // The extra item asked for the `#meta` on the first page is an entry when `#meta` was not there.
      let last = out.LastEvaluatedKey;
      if (items.length > wanted) {
        const kept = items.slice(0, wanted);
        const end = kept[kept.length - 1] as Item;
        last = Object.fromEntries(
          ['comuna', 'childId', state.phase === 'alert' ? 'alertKey' : 'scoreKey'].map((k) => [k, end[k]]),
        );
        items = kept;
      }
      first = false;
      for (const item of items) {
        if (item.childId === META) continue;
        const entry = entryForReaders(toEntry(item), current);
        if (entry) entries.push(entry);
      }
      if (last) {
        state = { phase: state.phase, key: last };
      } else if (state.phase === 'alert') {
        state = { phase: 'score' };
      } else {
        return { entries, ...metaFieldsOf(run) };
      }
      if (entries.length >= limit) break;
    }
    return { entries, nextCursor: encodeCursor({ ...state, ...(run ? { run } : {}) }), ...metaFieldsOf(run) };
  }

  async get(comuna: string, childId: string): Promise<RosterEntry | undefined> {
    if (childId === META) return undefined;
    const [out, meta] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { comuna, childId } })),
      this.meta(comuna),
    ]);
    return out.Item ? entryForReaders(toEntry(out.Item), currentOf(meta)) : undefined;
  }

  async recordCase(comuna: string, childId: string, projection: CaseProjection): Promise<void> {
    if (childId === META) return;
    await ignoringConditionFailure(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { comuna, childId },
          UpdateExpression: 'SET #case = :p',
          // An entry the sweep removed is not brought back by its case; a late write of an older
          // version of the case (or of another, older case of the child) does not replace a newer one.
          ConditionExpression:
            'attribute_exists(childId) AND (attribute_not_exists(#case) OR #case.caseId <> :id OR #case.version < :v)',
          ExpressionAttributeNames: { '#case': 'case' },
          ExpressionAttributeValues: { ':p': projection, ':id': projection.caseId, ':v': projection.version },
        }),
      ),
    );
  }

  async removeProvisional(comuna: string, childId: string): Promise<void> {
    if (childId === META) return;
    await ignoringConditionFailure(
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { comuna, childId },
          // Only an entry the alerts alone made, never one scoring placed or a case is on.
          ConditionExpression:
            'provisional = :true AND attribute_not_exists(scoredAt) AND attribute_not_exists(#case)',
          ExpressionAttributeNames: { '#case': 'case' },
          ExpressionAttributeValues: { ':true': true },
        }),
      ),
    );
  }

  async factsOf(comuna: string, childId: string): Promise<ChildFacts | undefined> {
    if (childId === META) return undefined;
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { comuna, childId }, ProjectionExpression: 'facts' }),
    );
    const facts = out.Item?.facts;
    return typeof facts === 'object' && facts !== null ? (facts as ChildFacts) : undefined;
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

function isStale(item: Item, run: Pick<ScoringRun, 'runId' | 'scoredAt'>): boolean {
  return (
    item.scoreKey !== undefined &&
    item.runId !== run.runId &&
    typeof item.scoredAt === 'string' &&
    item.scoredAt < run.scoredAt
  );
}

/** Runs `task` over `items`, at most WRITE_CONCURRENCY at a time. */
async function eachConcurrently<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
}

/** True once the write is done; false when its condition failed. */
async function ignoringConditionFailure(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * The roster store's scoring runs on a mocked DynamoDB: readers see the scores of the current run
 * only, and a run's sweep removes what earlier runs left, under conditions that keep later runs'
 * and alerts' writes safe.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoRosterStore } from '../../../functions/roster/adapters/dynamo-roster-store';
import { HOUSEHOLD_ONLY_TEXT } from '../../../functions/roster/domain/head-rule';
import type { StoredEntry } from '../../../functions/roster/domain/roster';
import {
  enteredPriorityAt,
  entryForReaders,
  scoreKey,
  scoreStateOf,
} from '../../../functions/roster/domain/roster';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoRosterStore(ddb as unknown as DynamoDBDocumentClient, 'roster');
const failed = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });

const EARLIER = '2026-11-01T10:00:00.000Z';
const CURRENT = '2026-11-20T10:00:00.000Z';
const LATER = '2026-11-21T10:00:00.000Z';
const alert = {
  alertId: 'a-1',
  riskFactor: 'situacion_de_calle',
  urgent: false,
  state: 'sin gestionar',
  receivedAt: '2026-11-05T00:00:00Z',
  repeatAlertIds: [],
};
const scored = (childId: string, runId: string, scoredAt: string, extra: Record<string, unknown> = {}) => ({
  comuna: '13101',
  childId,
  origin: 'predictivo',
  provisional: false,
  cut: '2026-10',
  probability: 0.5,
  ventile: 19,
  reasons: [
    {
      feature: 'hogar_monoparental',
      text: 'Hogar monoparental',
      weight: 0.4,
      concerns: 'hogar',
      source: 'rsh',
      cut: '2026-10',
      window: 'ficha vigente',
    },
  ],
  modelVersion: 'm-1',
  scoredAt,
  runId,
  scoreKey: `05000000#${childId}`,
  ...extra,
});
const meta = { comuna: '13101', childId: '#meta', currentCut: '2026-10', runId: 'run-2', scoredAt: CURRENT };

/** What scoring writes beside the score: the household and the facts the program catalogue reads. */
const HOUSEHOLD = {
  family: 'h-1',
  facts: {
    ageYears: 9,
    rsh40: true,
    adultDeprivedOfLiberty: false,
    offender12m: false,
    schoolDisengaged: false,
    drugTreatment12m: false,
    mentalHealth12m: false,
  },
};

describe('what readers see of scoring runs', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand, { Key: { comuna: '13101', childId: '#meta' } }).resolves({ Item: meta });
  });

  it('pages the current run only, and an earlier run’s alerted child as a manual entry', async () => {
    ddb.on(QueryCommand, { IndexName: 'byAlert' }).resolves({
      Items: [
        scored('n-stale-alerted', 'run-1', EARLIER, { alerts: [alert], alertKey: `1#${alert.receivedAt}` }),
        scored('n-pending-alerted', 'run-3', LATER, { alerts: [alert], alertKey: `1#${alert.receivedAt}` }),
      ],
    });
    ddb
      .on(QueryCommand, { IndexName: 'byScore' })
      .resolves({ Items: [scored('n-current', 'run-2', CURRENT)] });
    const page = await store.page('13101', 10);
    expect(page.entries.map((e) => [e.childId, e.origin, e.provisional, e.probability])).toEqual([
      ['n-stale-alerted', 'manual', true, undefined],
      ['n-pending-alerted', 'predictivo', false, undefined],
      ['n-current', 'predictivo', false, 0.5],
    ]);
    expect(page.entries[0]?.alerts).toEqual([alert]);
    expect(page.entries[0]).not.toHaveProperty('cut');
    expect(page.entries.some((e) => 'runId' in e)).toBe(false);
    const scoreQuery = ddb.commandCalls(QueryCommand, { IndexName: 'byScore' })[0]?.args[0].input;
    expect(scoreQuery?.FilterExpression).toBe('attribute_not_exists(alertKey) AND runId = :cur');
    expect(scoreQuery?.ExpressionAttributeValues?.[':cur']).toBe('run-2');
  });

  it('finds no entry for a child only an earlier run scored', async () => {
    ddb
      .on(GetCommand, { Key: { comuna: '13101', childId: 'n-gone' } })
      .resolves({ Item: scored('n-gone', 'run-1', EARLIER) });
    ddb
      .on(GetCommand, { Key: { comuna: '13101', childId: 'n-here' } })
      .resolves({ Item: scored('n-here', 'run-2', CURRENT) });
    expect(await store.get('13101', 'n-gone')).toBeUndefined();
    expect(await store.get('13101', 'n-here')).toMatchObject({ probability: 0.5, cut: '2026-10' });
  });

  it('classifies entries against the current run, and entries written before runs had ids by cut', () => {
    const current = { cut: '2026-10', runId: 'run-2', scoredAt: CURRENT };
    const entry = (runId: string | undefined, scoredAt: string, cut = '2026-10'): StoredEntry => ({
      comuna: '13101',
      childId: 'n-x',
      origin: 'predictivo',
      provisional: false,
      cut,
      probability: 0.2,
      scoredAt,
      ...(runId ? { runId } : {}),
    });
    expect(scoreStateOf(entry('run-2', CURRENT), current)).toBe('current');
    expect(scoreStateOf(entry('run-3', LATER), current)).toBe('pending');
    expect(scoreStateOf(entry('run-1', EARLIER), current)).toBe('stale');
    expect(scoreStateOf(entry(undefined, EARLIER), current)).toBe('stale');
    const unscored = { comuna: '13101', childId: 'n-x', origin: 'manual' as const, provisional: true };
    expect(scoreStateOf(unscored, current)).toBe('unscored');
    const legacy = { cut: '2026-10', scoredAt: EARLIER };
    expect(scoreStateOf(entry(undefined, EARLIER), legacy)).toBe('current');
    expect(scoreStateOf(entry(undefined, '2026-10-01T00:00:00Z', '2026-09'), legacy)).toBe('stale');
    expect(entryForReaders(entry('run-1', EARLIER), current)).toBeUndefined();
    expect(entryForReaders(unscored, current)).toEqual(unscored);
  });
});

describe('a scoring run', () => {
  beforeEach(() => {
    ddb.reset();
  });

  it('removes what earlier runs left, page by page: entries without alerts deleted, alerted ones unscored', async () => {
    ddb
      .on(QueryCommand, { IndexName: 'byScore' })
      .resolvesOnce({
        Items: [scored('n-1', 'run-1', EARLIER), scored('n-2', 'run-1', EARLIER, { alerts: [alert] })],
        LastEvaluatedKey: { comuna: '13101', childId: 'n-2', scoreKey: '05000000#n-2' },
      })
      .resolvesOnce({ Items: [scored('n-3', 'run-1', EARLIER)] });
    ddb.on(DeleteCommand).resolves({});
    // An alert for n-3 arrives between the query and the delete.
    ddb.on(DeleteCommand, { Key: { comuna: '13101', childId: 'n-3' } }).rejects(failed());
    ddb
      .on(GetCommand, { Key: { comuna: '13101', childId: 'n-3' } })
      .resolves({ Item: scored('n-3', 'run-1', EARLIER, { alerts: [alert] }) });
    ddb.on(UpdateCommand).resolves({});

    const sweep = await store.removeStale({ comuna: '13101', runId: 'run-2', scoredAt: CURRENT });

    expect(sweep).toEqual({ removed: 1, unscored: 2 });
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(2);
    expect(queries[0]?.ExpressionAttributeValues).toMatchObject({ ':run': 'run-2', ':at': CURRENT });
    expect(queries[1]?.ExclusiveStartKey).toEqual({
      comuna: '13101',
      childId: 'n-2',
      scoreKey: '05000000#n-2',
    });
    const deletes = ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input);
    expect(deletes.map((d) => d.Key?.childId).sort()).toEqual(['n-1', 'n-3']);
    for (const d of deletes) {
      expect(d.ConditionExpression).toContain('runId <> :run');
      expect(d.ConditionExpression).toContain('scoredAt < :at');
      expect(d.ConditionExpression).toContain('attribute_not_exists(alerts)');
    }
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    const unscores = updates.filter((u) => u.Key?.childId !== '#meta');
    expect(unscores.map((u) => u.Key?.childId).sort()).toEqual(['n-2', 'n-3']);
    for (const u of unscores) {
      expect(u.UpdateExpression).toMatch(/REMOVE .*probability.*scoreKey.*runId/);
      expect(u.ExpressionAttributeValues).toMatchObject({ ':origin': 'manual', ':true': true });
      expect(u.ConditionExpression).toContain('size(alerts) > :zero');
    }
    const settle = updates.find((u) => u.Key?.childId === '#meta');
    expect(settle?.ConditionExpression).toBe('runId = :run AND scoredAt = :at');
    expect(updates.at(-1)).toBe(settle);
  });

  it('leaves an entry a run rewrote during the sweep', async () => {
    ddb.on(QueryCommand).resolves({ Items: [scored('n-1', 'run-1', EARLIER)] });
    ddb.on(DeleteCommand).rejects(failed());
    ddb.on(GetCommand).resolves({ Item: scored('n-1', 'run-2', CURRENT) });
    ddb.on(UpdateCommand).resolves({});
    expect(await store.removeStale({ comuna: '13101', runId: 'run-2', scoredAt: CURRENT })).toEqual({
      removed: 0,
      unscored: 0,
    });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(1);
  });

  it('never overwrites or replaces what a later-started run wrote, and settles only after its sweep', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(UpdateCommand, { Key: { comuna: '13101', childId: 'n-b' } }).rejects(failed());
    const run = { comuna: '13101', cut: '2026-10', runId: 'run-2', modelVersion: 'm-1', scoredAt: CURRENT };
    await store.writeScores(run, [
      { childId: 'n-a', probability: 0.3, ventile: 12, reasons: [], ...HOUSEHOLD },
      { childId: 'n-b', probability: 0.4, ventile: 14, reasons: [], ...HOUSEHOLD },
    ]);
    const write = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(write?.ConditionExpression).toBe('attribute_not_exists(scoredAt) OR scoredAt <= :at');
    expect(write?.UpdateExpression).toContain('runId = :run');
    expect(write?.ExpressionAttributeValues).toMatchObject({ ':run': 'run-2', ':at': CURRENT });

    ddb.on(PutCommand).resolvesOnce({}).rejectsOnce(failed());
    const complete = { ...run, scored: 2, inputs: 'm-1|r2', excluded: { surveyAfterCut: 1 } };
    expect(await store.completeRun(complete)).toBe(true);
    // The run's summary records the children it left out, beside the ones it scored.
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      runId: 'run-2',
      scoredAt: CURRENT,
      scored: 2,
      excluded: { surveyAfterCut: 1 },
    });
    expect(await store.completeRun(complete)).toBe(false);

    ddb.on(GetCommand).resolves({ Item: { ...meta, inputs: 'm-1|r2' } });
    expect(await store.lastInputs('13101', '2026-10')).toBeUndefined();
    ddb.on(GetCommand).resolves({ Item: { ...meta, inputs: 'm-1|r2', settled: true } });
    expect(await store.lastInputs('13101', '2026-10')).toBe('m-1|r2');
  });
});

describe('roster order', () => {
  it('orders score keys with the highest probability first', () => {
    const keys = [scoreKey(0.2, 'n-b'), scoreKey(0.9, 'n-c'), scoreKey(0.2, 'n-a')].sort();
    expect(keys.map((k) => k.split('#')[2])).toEqual(['n-c', 'n-a', 'n-b']);
  });

  it('ranks a child the model leaves after its head below every child of the head, by probability within each', () => {
    const keys = [
      scoreKey(0.95, 'n-demoted-high', true),
      scoreKey(0.1, 'n-head-low'),
      scoreKey(0.5, 'n-demoted-mid', true),
      scoreKey(0.6, 'n-head-high'),
      scoreKey(0, 'n-head-zero'),
    ].sort();
    expect(keys.map((k) => k.split('#')[2])).toEqual([
      'n-head-high',
      'n-head-low',
      'n-head-zero',
      'n-demoted-high',
      'n-demoted-mid',
    ]);
  });

  it('writes a demoted child under the lower score key with its demotion, and clears it when it has a child-level reason', async () => {
    ddb.reset();
    ddb.on(UpdateCommand).resolves({});
    const run = { comuna: '13101', cut: '2026-10', runId: 'run-2', modelVersion: 'm-1', scoredAt: CURRENT };
    const demotion = { rule: 'child-signal' as const, text: HOUSEHOLD_ONLY_TEXT };
    await store.writeScores(run, [
      { childId: 'n-hogar', probability: 0.9, ventile: 20, reasons: [], demotion, ...HOUSEHOLD },
      { childId: 'n-propio', probability: 0.2, ventile: 12, reasons: [], ...HOUSEHOLD },
    ]);
    const inputs = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    const of = (id: string) => inputs.find((i) => i.Key?.childId === id);
    expect(of('n-hogar')?.ExpressionAttributeValues?.[':d']).toEqual(demotion);
    expect(of('n-hogar')?.ExpressionAttributeValues?.[':sk']).toBe(scoreKey(0.9, 'n-hogar', true));
    expect(of('n-hogar')?.UpdateExpression).toMatch(/demotion = :d/);
    expect(of('n-propio')?.UpdateExpression).toMatch(/REMOVE demotion$/);
    expect(of('n-propio')?.ExpressionAttributeValues?.[':sk']).toBe(scoreKey(0.2, 'n-propio'));
    expect(
      [of('n-hogar'), of('n-propio')].map((i) => i?.ExpressionAttributeValues?.[':sk'] as string).sort(),
    ).toEqual([scoreKey(0.2, 'n-propio'), scoreKey(0.9, 'n-hogar', true)]);
  });

  it("reads an entry's demotion back for readers", async () => {
    ddb.reset();
    ddb.on(GetCommand, { Key: { comuna: '13101', childId: '#meta' } }).resolves({ Item: meta });
    const demotion = { rule: 'child-signal', text: HOUSEHOLD_ONLY_TEXT };
    ddb
      .on(GetCommand, { Key: { comuna: '13101', childId: 'n-hogar' } })
      .resolves({ Item: scored('n-hogar', 'run-2', CURRENT, { demotion }) });
    expect((await store.get('13101', 'n-hogar'))?.demotion).toEqual(demotion);
  });
});

describe('entering the nómina the OLN works from', () => {
  const current = { cut: '2026-10', runId: 'run-2', scoredAt: CURRENT };
  const base: StoredEntry = {
    comuna: '13101',
    childId: 'n-1',
    origin: 'predictivo',
    provisional: false,
    cut: '2026-10',
    probability: 0.5,
    ventile: 20,
    runId: 'run-2',
    scoredAt: CURRENT,
  };

  it('counts the head date only while the run whose head held the child is current', () => {
    const inHead = { ...base, headRun: 'run-2', headSince: '2026-09-01T00:00:00.000Z' };
    expect(entryForReaders(inHead, current)?.headSince).toBe('2026-09-01T00:00:00.000Z');
    // Left out of the current run's head: the old date no longer says anything.
    expect(entryForReaders({ ...inHead, headRun: 'run-1' }, current)?.headSince).toBeUndefined();
  });

  it('enters at the earliest of its head date and its oldest open alert; closed alerts do not count', () => {
    const alert = (receivedAt: string, state: string) => ({
      alertId: receivedAt,
      riskFactor: 'x',
      urgent: false,
      state,
      receivedAt,
      repeatAlertIds: [],
    });
    expect(enteredPriorityAt({})).toBeUndefined();
    expect(enteredPriorityAt({ headSince: '2026-10-05T00:00:00Z' })).toBe('2026-10-05T00:00:00Z');
    expect(
      enteredPriorityAt({
        headSince: '2026-10-05T00:00:00Z',
        alerts: [alert('2026-10-01T00:00:00Z', 'resuelta'), alert('2026-10-03T00:00:00Z', 'sin gestionar')],
      }),
    ).toBe('2026-10-03T00:00:00Z');
  });

  it('keeps the head date of a child still in the head and starts it for one newly in it', async () => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: { ...meta, runId: 'run-1' } });
    ddb.on(UpdateCommand).resolves({});
    ddb
      .on(UpdateCommand, {
        Key: { comuna: '13101', childId: 'n-new' },
        UpdateExpression: 'SET headRun = :run',
      })
      .rejects(failed());
    await store.markHead({ comuna: '13101', runId: 'run-2', scoredAt: CURRENT }, ['n-kept', 'n-new']);
    const inputs = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    const of = (id: string) => inputs.filter((i) => i.Key?.childId === id);
    expect(of('n-kept')).toHaveLength(1);
    expect(of('n-kept')[0]?.ExpressionAttributeValues).toEqual({ ':run': 'run-2', ':prev': 'run-1' });
    expect(of('n-new').map((i) => i.UpdateExpression)).toEqual([
      'SET headRun = :run',
      'SET headRun = :run, headSince = :at',
    ]);
    expect(of('n-new')[1]?.ExpressionAttributeValues?.[':at']).toBe(CURRENT);
  });
});

describe('a page of the nómina', () => {
  const scoredItem = (n: number) => ({
    comuna: '13101',
    childId: `n-${n}`,
    scoreKey: scoreKey(0.9 - n / 100, `n-${n}`),
    probability: 0.9 - n / 100,
    ventile: 20,
    runId: 'run-2',
    scoredAt: CURRENT,
    cut: '2026-10',
  });

  it('costs two queries: the alert index gives the run with the alerted entries, and later pages carry the run', async () => {
    ddb.reset();
    ddb
      .on(QueryCommand, { IndexName: 'byAlert' })
      .resolves({ Items: [{ ...meta, alertKey: '#meta', modelVersion: 'm-1' }] });
    ddb.on(QueryCommand, { IndexName: 'byScore' }).resolves({
      Items: [scoredItem(1), scoredItem(2)],
      LastEvaluatedKey: { comuna: '13101', childId: 'n-2', scoreKey: scoredItem(2).scoreKey },
    });
    const page = await store.page('13101', 2);
    expect(page.entries.map((e) => e.childId)).toEqual(['n-1', 'n-2']);
    expect(page).toMatchObject({ currentCut: '2026-10', modelVersion: 'm-1' });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);

    ddb.resetHistory();
    const next = await store.page('13101', 2, page.nextCursor);
    expect(next).toMatchObject({ currentCut: '2026-10', modelVersion: 'm-1' });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':cur']).toBe(
      'run-2',
    );
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('reads the run apart when the `#meta` item predates its place in the alert index, and keeps the extra entry for the next page', async () => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: meta });
    const alerted = (n: number) => ({ ...scoredItem(n), alertKey: `1#2026-11-0${n}`, alerts: [] });
    ddb.on(QueryCommand, { IndexName: 'byAlert' }).resolves({ Items: [alerted(1), alerted(2), alerted(3)] });
    const page = await store.page('13101', 2);
    expect(page.entries.map((e) => e.childId)).toEqual(['n-1', 'n-2']);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.Limit).toBe(3);
    ddb.resetHistory();
    ddb.on(QueryCommand, { IndexName: 'byAlert' }).resolves({ Items: [alerted(3)] });
    ddb.on(QueryCommand, { IndexName: 'byScore' }).resolves({ Items: [] });
    const next = await store.page('13101', 2, page.nextCursor);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.ExclusiveStartKey).toMatchObject({
      childId: 'n-2',
    });
    expect(next.entries.map((e) => e.childId)).toEqual(['n-3']);
  });

  it('refuses a cursor whose run is not of the shape this store writes', async () => {
    const forged = Buffer.from(JSON.stringify({ phase: 'score', run: { current: { runId: 7 } } })).toString(
      'base64url',
    );
    await expect(store.page('13101', 2, forged)).rejects.toThrow(/not one this API issued/);
  });
});

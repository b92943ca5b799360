/**
 * Recovery of ingest runs that lost their tasks, over in-memory ports: the watchdog ends stalled
 * runs with their report, the local start re-queues exactly the tasks a run still needs, and an
 * upload of a stalled run's content starts a new attempt instead of being ignored.
 */
import { describe, expect, it } from 'vitest';
import { processChunk } from '../../../functions/ingest/domain/run/chunk';
import type { IngestRunDeps } from '../../../functions/ingest/domain/run/deps';
import { finalizeRun } from '../../../functions/ingest/domain/run/finalize';
import { planRun } from '../../../functions/ingest/domain/run/plan';
import { publishPart } from '../../../functions/ingest/domain/run/publish';
import { reduceBucket } from '../../../functions/ingest/domain/run/reduce';
import { rawKeys, workKeys } from '../../../functions/ingest/domain/run/work-layout';
import {
  failStalledRuns,
  pendingTasks,
  resumeInterruptedRuns,
} from '../../../functions/ingest/domain/run-recovery';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { generateCut } from '../../../tools/generate/generator';
import { MemoryQueue, MemoryRuns, MemoryStore, runRecord } from './memory-ports';

const STALL_MINUTES = 120;
const NOW = new Date('2026-11-02T14:00:00.000Z');
const LONG_AGO = '2026-11-02T10:00:00.000Z';
const RECENTLY = '2026-11-02T13:30:00.000Z';

function watchdog() {
  const clock = { now: NOW };
  const runs = new MemoryRuns(clock);
  const raw = new MemoryStore();
  return { runs, raw, deps: { runs, raw, now: () => clock.now, stallMinutes: STALL_MINUTES } };
}

describe('the watchdog', () => {
  it('ends a stalled run as failed in processing and writes its rejected report next to the upload', async () => {
    const { runs, raw, deps } = watchdog();
    runs.seed(runRecord({ updatedAt: LONG_AGO }), { chunks: [0, 1] });
    runs.seed(runRecord({ runId: 'fresh', objectKey: 'extracts/2026-10/salud.csv', updatedAt: RECENTLY }));
    runs.seed(runRecord({ runId: 'ended', status: 'done', updatedAt: '2026-10-01T00:00:00.000Z' }));

    const ended = await failStalledRuns(deps);

    expect(ended.map((e) => e.run.runId)).toEqual(['2026-10-rsh-0123456789abcdef']);
    const report = raw.json(rawKeys.report('extracts/2026-10/rsh.csv'));
    expect(report).toMatchObject({
      status: 'rejected',
      runId: '2026-10-rsh-0123456789abcdef',
      objectKey: 'extracts/2026-10/rsh.csv',
      rowsRead: 0,
      error: { problem: 'processing-failed' },
      finishedAt: NOW.toISOString(),
    });
    expect(String((report?.error as { message?: string } | undefined)?.message)).toMatch(
      /dejó de avanzar.*desde 2026-11-02T10:00:00\.000Z.*npm run san -- retry 2026-10 rsh/,
    );
    const run = await runs.get('2026-10-rsh-0123456789abcdef');
    expect(run).toMatchObject({ status: 'rejected', report: { status: 'rejected' } });
    expect((await runs.get('fresh'))?.status).toBe('processing');
    expect(raw.objects.has(rawKeys.report('extracts/2026-10/salud.csv'))).toBe(false);
  });

  it('leaves a run that moved after it was listed', async () => {
    const { runs, deps } = watchdog();
    runs.seed(runRecord({ updatedAt: LONG_AGO }));
    const listed = await runs.active();
    await runs.chunkDone('2026-10-rsh-0123456789abcdef', 0);
    const lagging = Object.assign(Object.create(runs) as MemoryRuns, { active: async () => listed });

    expect(await failStalledRuns({ ...deps, runs: lagging })).toEqual([]);
    expect((await runs.get('2026-10-rsh-0123456789abcdef'))?.status).toBe('processing');
  });

  it('keeps the failure a stalled run already carries, so a bad file stays rejected for its content', async () => {
    const { runs, raw, deps } = watchdog();
    const failure = { problem: 'field-too-long' as const, message: 'un campo supera 4096 caracteres' };
    runs.seed(runRecord({ updatedAt: LONG_AGO, failure }));

    await failStalledRuns(deps);

    expect(raw.json(rawKeys.report('extracts/2026-10/rsh.csv'))?.error).toEqual(failure);
  });
});

describe('tasks a run still needs', () => {
  const run = runRecord({ chunkCount: 5, bucketCount: 3 });

  it('are its chunks not done, then its buckets not done, then its finalize', () => {
    const chunks = pendingTasks(run, { chunks: [0, 3], buckets: [], parts: [] });
    expect(chunks).toMatchObject({ stage: 'chunk', pending: 3, total: 5 });
    expect(chunks.tasks).toEqual([1, 2, 4].map((index) => ({ type: 'chunk', runId: run.runId, index })));

    const reduces = pendingTasks(run, { chunks: [0, 1, 2, 3, 4], buckets: [1], parts: [] });
    expect(reduces).toMatchObject({ stage: 'reduce', pending: 2, total: 3 });
    expect(reduces.tasks).toEqual([0, 2].map((bucket) => ({ type: 'reduce', runId: run.runId, bucket })));

    const finalize = pendingTasks(run, { chunks: [0, 1, 2, 3, 4], buckets: [0, 1, 2], parts: [] });
    expect(finalize).toMatchObject({ stage: 'finalize', pending: 1, total: 1 });
    expect(finalize.tasks).toEqual([{ type: 'finalize', runId: run.runId }]);
  });

  it('are only its finalize when it failed, or when the file had no rows to chunk', () => {
    const failed = { ...run, failure: { problem: 'processing-failed' as const, message: 'x' } };
    expect(pendingTasks(failed, { chunks: [], buckets: [], parts: [] }).tasks).toEqual([
      { type: 'finalize', runId: run.runId },
    ]);
    expect(pendingTasks({ ...run, chunkCount: 0 }, { chunks: [], buckets: [], parts: [] }).stage).toBe(
      'finalize',
    );
  });

  it('are the identity parts not yet published of a run publishing, or one part again to promote it', () => {
    const publishing = { ...run, status: 'publishing' as const, publishTotal: 3 };
    const parts = [
      { bucket: 0, part: 0 },
      { bucket: 0, part: 1 },
      { bucket: 2, part: 0 },
    ];
    const all = { chunks: [0, 1, 2, 3, 4], buckets: [0, 1, 2] };
    const left = pendingTasks(publishing, { ...all, parts: ['0/1'] }, parts);
    expect(left).toMatchObject({ stage: 'publish', pending: 2, total: 3 });
    expect(left.tasks).toEqual([
      { type: 'publish', runId: run.runId, bucket: 0, part: 0 },
      { type: 'publish', runId: run.runId, bucket: 2, part: 0 },
    ]);
    const promote = pendingTasks(publishing, { ...all, parts: ['0/0', '0/1', '2/0'] }, parts);
    expect(promote).toMatchObject({ stage: 'publish', pending: 0, total: 3 });
    expect(promote.tasks).toEqual([{ type: 'publish', runId: run.runId, bucket: 2, part: 0 }]);
    // Accepted with no identity to publish: its finalize promotes it.
    expect(pendingTasks({ ...publishing, publishTotal: 0 }, { ...all, parts: [] }, []).tasks).toEqual([
      { type: 'finalize', runId: run.runId },
    ]);
  });
});

describe('resuming at start', () => {
  it('re-queues what each active run still needs and ends one whose plan is gone', async () => {
    const clock = { now: NOW };
    const runs = new MemoryRuns(clock);
    const raw = new MemoryStore();
    const work = new MemoryStore();
    const tasks = new MemoryQueue();
    const resumable = runRecord({ updatedAt: RECENTLY });
    runs.seed(resumable, { chunks: [0, 1] });
    await work.putJson(workKeys.plan(resumable.runId), { runId: resumable.runId });
    const planless = runRecord({ runId: '2026-10-salud-aa', objectKey: 'extracts/2026-10/salud.csv' });
    runs.seed(planless);
    runs.seed(runRecord({ runId: 'ended', status: 'done' }));

    const outcomes = await resumeInterruptedRuns({ runs, raw, work, tasks, now: () => clock.now });

    expect(outcomes.map((o) => [o.run.runId, o.kind])).toEqual([
      [resumable.runId, 'resumed'],
      [planless.runId, 'failed'],
    ]);
    expect(outcomes[0]).toMatchObject({ stage: 'chunk', pending: 3, total: 5 });
    expect(tasks.tasks).toEqual([2, 3, 4].map((index) => ({ type: 'chunk', runId: resumable.runId, index })));
    expect(raw.json(rawKeys.report(planless.objectKey))).toMatchObject({
      status: 'rejected',
      error: { problem: 'processing-failed' },
    });
    expect((await runs.get(planless.runId))?.status).toBe('rejected');
  });

  it('re-queues the unpublished identity parts of an accepted run, and ends one whose acceptance is gone', async () => {
    const clock = { now: NOW };
    const runs = new MemoryRuns(clock);
    const raw = new MemoryStore();
    const work = new MemoryStore();
    const tasks = new MemoryQueue();
    const publishing = runRecord({ status: 'publishing', publishTotal: 3, updatedAt: RECENTLY });
    runs.seed(publishing, { chunks: [0, 1, 2, 3, 4], buckets: [0, 1, 2], parts: ['1/0'] });
    await work.putJson(workKeys.plan(publishing.runId), { runId: publishing.runId });
    await work.putJson(workKeys.accepted(publishing.runId), {
      report: {},
      quality: {},
      identityParts: [1, 1, 1],
    });
    const lost = runRecord({
      runId: '2026-10-salud-bb',
      objectKey: 'extracts/2026-10/salud.csv',
      status: 'publishing',
      publishTotal: 2,
      createdAt: '2026-11-02T11:00:00.000Z',
    });
    runs.seed(lost);
    await work.putJson(workKeys.plan(lost.runId), { runId: lost.runId });

    const outcomes = await resumeInterruptedRuns({ runs, raw, work, tasks, now: () => clock.now });

    expect(outcomes.map((o) => [o.run.runId, o.kind])).toEqual([
      [publishing.runId, 'resumed'],
      [lost.runId, 'failed'],
    ]);
    expect(outcomes[0]).toMatchObject({ stage: 'publish', pending: 2, total: 3 });
    expect(tasks.tasks).toEqual([
      { type: 'publish', runId: publishing.runId, bucket: 0, part: 0 },
      { type: 'publish', runId: publishing.runId, bucket: 2, part: 0 },
    ]);
    expect(raw.json(rawKeys.report(lost.objectKey))).toMatchObject({
      status: 'rejected',
      error: { problem: 'processing-failed' },
    });
  });
});

describe('uploading the content of a stalled run again', () => {
  function planner(stallMinutes?: number) {
    const clock = { now: new Date('2026-11-02T10:00:00.000Z') };
    const queue = new MemoryQueue();
    const deps: IngestRunDeps = {
      raw: new MemoryStore(),
      work: new MemoryStore(),
      curated: new MemoryStore(),
      runs: new MemoryRuns(clock),
      tasks: queue,
      identities: { putAll: async () => ({ written: 0, olderThanStored: 0 }) },
      scoreRequests: { sendAll: async () => undefined },
      pseudonymiser: createPseudonymiser('ab'.repeat(32)),
      extractsPrefix: 'extracts/',
      sizes: { chunkBytes: 4096, reduceBytes: 8192 },
      now: () => clock.now,
      ...(stallMinutes === undefined ? {} : { stallMinutes }),
    };
    const generated = generateCut({ children: 60, seed: 3, cut: '2026-10', sources: ['rsh'] });
    const [file] = generated.files;
    if (!file) throw new Error('no file');
    const key = 'extracts/2026-10/rsh.csv';
    (deps.raw as MemoryStore).objects.set(key, file.bytes);
    (deps.raw as MemoryStore).objects.set(
      'extracts/2026-10/manifest.json',
      Buffer.from(JSON.stringify(generated.manifest)),
    );
    const drain = async (): Promise<void> => {
      for (let task = queue.tasks.shift(); task; task = queue.tasks.shift()) {
        if (task.type === 'chunk') await processChunk(deps, task.runId, task.index);
        else if (task.type === 'reduce') await reduceBucket(deps, task.runId, task.bucket);
        else if (task.type === 'publish') await publishPart(deps, task.runId, task.bucket, task.part);
        else await finalizeRun(deps, task.runId);
      }
    };
    return { deps, clock, queue, key, drain, raw: deps.raw as MemoryStore };
  }

  it('ends the stalled run with its report and runs the content afresh as the next attempt', async () => {
    const { deps, clock, queue, key, drain, raw } = planner(STALL_MINUTES);
    const first = await planRun(deps, key);
    if (first.status !== 'planned') throw new Error(first.status);
    queue.tasks.splice(0); // the tasks are lost (a killed local process, a worker killed on its last try)

    clock.now = new Date('2026-11-02T11:00:00.000Z');
    expect((await planRun(deps, key)).status).toBe('redelivered');

    clock.now = new Date('2026-11-02T12:30:00.000Z');
    const again = await planRun(deps, key);
    expect(again).toMatchObject({ status: 'planned', runId: `${first.runId}-r2` });
    const old = await deps.runs.get(first.runId);
    expect(old).toMatchObject({ status: 'rejected', failure: { problem: 'processing-failed' } });
    expect(raw.json(rawKeys.report(key))).toMatchObject({ status: 'rejected', runId: first.runId });

    await drain();
    expect(raw.json(rawKeys.report(key))).toMatchObject({ status: 'accepted', runId: `${first.runId}-r2` });
  });

  it('ends a run failed in processing whose finalize is still pending before the next attempt', async () => {
    const { deps, queue, key, raw } = planner(STALL_MINUTES);
    const first = await planRun(deps, key);
    if (first.status !== 'planned') throw new Error(first.status);
    queue.tasks.splice(0);
    await deps.runs.fail(first.runId, { problem: 'processing-failed', message: 'tarea chunk fallida: x' });

    const again = await planRun(deps, key);

    expect(again).toMatchObject({ status: 'planned', runId: `${first.runId}-r2` });
    expect((await deps.runs.get(first.runId))?.status).toBe('rejected');
    // A late finalize of the old run changes nothing once the new attempt has written its report.
    await raw.putJson(rawKeys.report(key), { status: 'accepted', runId: `${first.runId}-r2` });
    await finalizeRun(deps, first.runId);
    expect(raw.json(rawKeys.report(key))?.runId).toBe(`${first.runId}-r2`);
  });

  it('is still ignored as a redelivery when no stall threshold is configured', async () => {
    const { deps, clock, queue, key } = planner();
    await planRun(deps, key);
    queue.tasks.splice(0);
    clock.now = new Date('2026-12-02T10:00:00.000Z');
    expect((await planRun(deps, key)).status).toBe('redelivered');
  });
});

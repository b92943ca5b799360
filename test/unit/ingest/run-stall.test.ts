/**
 * The stall rule over run records: an active run whose record has not moved for the threshold is
 * stalled; an ended one never is; the threshold is validated.
 */
import { describe, expect, it } from 'vitest';
import {
  failedInProcessing,
  isStalled,
  StallThresholdError,
  stalledRuns,
  stallFailure,
} from '../../../functions/ingest/domain/run-stall';
import { EXTRACTS_PREFIX, INGEST_STALL_MINUTES, system } from '../../../infra/system';
import { runRecord } from './memory-ports';

const at = (iso: string): Date => new Date(iso);

describe('stall rule', () => {
  it('counts a processing run stalled once its record has not moved for the threshold', () => {
    const run = runRecord({ updatedAt: '2026-11-02T10:00:00.000Z' });
    expect(isStalled(run, at('2026-11-02T11:59:59.999Z'), 120)).toBe(false);
    expect(isStalled(run, at('2026-11-02T12:00:00.000Z'), 120)).toBe(true);
  });

  it('counts a run stuck publishing, and never one that ended', () => {
    const old = { updatedAt: '2026-10-01T00:00:00.000Z' };
    const now = at('2026-11-02T12:00:00.000Z');
    expect(isStalled(runRecord({ ...old, status: 'publishing' }), now, 30)).toBe(true);
    expect(isStalled(runRecord({ ...old, status: 'done' }), now, 30)).toBe(false);
    expect(isStalled(runRecord({ ...old, status: 'rejected' }), now, 30)).toBe(false);
  });

  it('judges a record with an unreadable update time by its creation, and one with no time at all as stalled', () => {
    const now = at('2026-11-02T12:00:00.000Z');
    expect(isStalled(runRecord({ updatedAt: 'soon', createdAt: '2026-11-02T11:50:00.000Z' }), now, 30)).toBe(
      false,
    );
    expect(isStalled(runRecord({ updatedAt: 'soon', createdAt: '2026-11-02T11:00:00.000Z' }), now, 30)).toBe(
      true,
    );
    expect(isStalled(runRecord({ updatedAt: '', createdAt: '' }), now, 30)).toBe(true);
  });

  it('lists the stalled runs among others, the longest stalled first', () => {
    const now = at('2026-11-02T12:00:00.000Z');
    const runs = [
      runRecord({ runId: 'a', updatedAt: '2026-11-02T09:00:00.000Z' }),
      runRecord({ runId: 'fresh', updatedAt: '2026-11-02T11:45:00.000Z' }),
      runRecord({ runId: 'b', updatedAt: '2026-11-02T08:00:00.000Z' }),
      runRecord({ runId: 'ended', status: 'done', updatedAt: '2026-11-01T08:00:00.000Z' }),
    ];
    expect(stalledRuns(runs, now, 60).map((r) => r.runId)).toEqual(['b', 'a']);
  });

  it('refuses a threshold that is not a positive number of minutes', () => {
    const now = at('2026-11-02T12:00:00.000Z');
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => isStalled(runRecord(), now, bad)).toThrow(StallThresholdError);
      expect(() => stalledRuns([], now, bad)).toThrow(StallThresholdError);
    }
  });

  it('fails a stalled run in processing, saying in Spanish since when and how to retry it', () => {
    const failure = stallFailure(runRecord({ updatedAt: '2026-11-02T10:00:00.000Z' }), 120);
    expect(failure.problem).toBe('processing-failed');
    expect(failure.message).toContain('dejó de avanzar');
    expect(failure.message).toContain('2026-11-02T10:00:00.000Z');
    expect(failure.message).toContain('npm run san -- retry 2026-10 rsh');
    expect(failedInProcessing(runRecord({ status: 'rejected', failure }))).toBe(true);
    expect(failedInProcessing(runRecord({ status: 'done', failure }))).toBe(false);
    expect(
      failedInProcessing(runRecord({ status: 'rejected', failure: { problem: 'not-csv', message: 'x' } })),
    ).toBe(false);
  });

  it('defaults to a threshold a healthy run cannot reach while its tasks are retried', () => {
    // Each receive of a task may hold it for the visibility timeout before the next one.
    const queue = system.queues.ingestTasks;
    expect(INGEST_STALL_MINUTES * 60).toBeGreaterThan(queue.visibilityTimeoutSeconds * queue.maxReceiveCount);
    expect(INGEST_STALL_MINUTES * 60).toBeGreaterThan(
      system.functions.ingestWorker.timeoutSeconds * queue.maxReceiveCount,
    );
    expect(system.functions.ingestWatchdog.environment.INGEST_STALL_MINUTES).toBe(
      String(INGEST_STALL_MINUTES),
    );
    expect(system.functions.ingest.environment.INGEST_STALL_MINUTES).toBe(String(INGEST_STALL_MINUTES));
  });

  it('gives the planner and the worker the receive limit of their queue and the extracts prefix', () => {
    for (const fn of [system.functions.ingest, system.functions.ingestWorker]) {
      expect(fn.environment.INGEST_TASKS_MAX_RECEIVES).toBe(
        String(system.queues.ingestTasks.maxReceiveCount),
      );
      expect(fn.environment.INGEST_EXTRACTS_PREFIX).toBe(EXTRACTS_PREFIX);
    }
  });
});

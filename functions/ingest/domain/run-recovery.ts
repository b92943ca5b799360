/**
 * Getting ingest runs that lost their tasks out of `processing`, so that no cut stays wedged:
 *
 * - the watchdog (on a schedule, in the cloud and locally) ends runs that stopped progressing as
 *   failed in processing, writing their rejected report as finalize does for a failed run;
 * - the planner, given the content of such a run again, ends it the same way before it starts the
 *   next attempt, so that the old run's report can never overwrite the new one's;
 * - the local start re-queues what runs left active by a killed process still need (its in-memory
 *   queue died with it): tasks are idempotent (see `run/`), so one that had in fact run
 *   runs again harmlessly.
 *
 * The report of a run ended here is built from its record, not from its plan: it needs no access to
 * the work bucket, and a run whose working objects expired still gets one.
 */
import { z } from 'zod';
import type { ObjectStore } from '../../shared/domain/object-store';
import type { IngestRun, IngestTask, IngestTaskQueue, RunStore } from './ports';
import type { IngestReport } from './report';
import { rejectedReport } from './report';
import type { IdentityPart } from './run/publish';
import { identityPartsOf } from './run/publish';
import { rawKeys, workKeys } from './run/work-layout';
import {
  checkStallMinutes,
  failedInProcessing,
  isActive,
  isStalled,
  retryCommand,
  stalledRuns,
  stallFailure,
} from './run-stall';

/** Which chunks and buckets of a run are recorded as done, by index. */
export interface RunProgress {
  readonly chunks: readonly number[];
  readonly buckets: readonly number[];
  /** Identity parts published, as `bucket/part`. */
  readonly parts: readonly string[];
}

/** What recovery needs of the run store beyond `RunStore`; the DynamoDB adapter implements both. */
export interface RunMonitor {
  /**
   * Runs still processing or publishing; with `updatedBefore` (ISO time), only those whose record
   * last changed before it.
   */
  active(updatedBefore?: string): Promise<IngestRun[]>;
  /** The chunks and buckets recorded as done; undefined when the run is not recorded. */
  progress(runId: string): Promise<RunProgress | undefined>;
}

export interface EndRunDeps {
  readonly runs: RunStore;
  readonly raw: ObjectStore;
  readonly now?: () => Date;
}

type Failure = NonNullable<IngestRun['failure']>;

/**
 * Ends an active run as rejected: records `failure` (unless the run already carries one, which
 * then stands), writes the rejected report next to the upload and finishes the run. A run that
 * ended meanwhile is left as it is. Returns the run's report.
 */
export async function endAsFailed(deps: EndRunDeps, run: IngestRun, failure: Failure): Promise<IngestReport> {
  const now = deps.now ?? (() => new Date());
  await deps.runs.fail(run.runId, failure);
  const current = (await deps.runs.get(run.runId)) ?? run;
  if (current.report && !isActive(current)) return current.report;
  const recorded = current.failure ?? failure;
  const report: IngestReport = {
    ...rejectedReport(
      {
        source: current.source,
        cut: current.cut,
        objectKey: current.objectKey,
        runId: current.runId,
        bytes: current.bytes,
        chunks: current.chunkCount,
        startedAt: current.createdAt,
      },
      recorded.problem,
      recorded.message,
    ),
    finishedAt: now().toISOString(),
  };
  await deps.raw.putJson(rawKeys.report(current.objectKey), report);
  await deps.runs.finish(current.runId, 'rejected', report);
  return report;
}

export interface WatchdogDeps extends EndRunDeps {
  readonly runs: RunStore & RunMonitor;
  /** Minutes without progress after which an active run counts as stalled. */
  readonly stallMinutes: number;
}

export interface EndedRun {
  readonly run: IngestRun;
  readonly report: IngestReport;
}

/** The watchdog's pass: ends every run that stopped progressing, as failed in processing. */
export async function failStalledRuns(deps: WatchdogDeps): Promise<EndedRun[]> {
  const minutes = checkStallMinutes(deps.stallMinutes);
  const now = (deps.now ?? (() => new Date()))();
  const before = new Date(now.getTime() - minutes * 60_000).toISOString();
  const ended: EndedRun[] = [];
  for (const candidate of stalledRuns(await deps.runs.active(before), now, minutes)) {
    // The index may lag its table: judge on the record as it is now.
    const run = await deps.runs.get(candidate.runId);
    if (!run || !isStalled(run, now, minutes)) continue;
    ended.push({ run, report: await endAsFailed(deps, run, stallFailure(run, minutes)) });
  }
  return ended;
}

export interface RetryDeps extends EndRunDeps {
  /** Stall threshold in minutes; absent, runs never count as stalled. */
  readonly stallMinutes?: number;
}

/**
 * Whether an upload of the content of `run` starts a new attempt (`-r2`, `-r3`, …): the run failed
 * in processing, or stopped progressing. An active run that does is ended first, with its report,
 * so that a late finalize of it cannot overwrite the new attempt's report. A stalled run that had
 * failed for its content ends rejected for that reason and is not tried again.
 */
export async function startsNewAttempt(deps: RetryDeps, run: IngestRun): Promise<boolean> {
  if (!isActive(run)) return failedInProcessing(run);
  const now = (deps.now ?? (() => new Date()))();
  if (run.failure) {
    // Its finalize was queued, or lost: either way the failure stands.
    if (!failedInProcessing(run) && !(deps.stallMinutes && isStalled(run, now, deps.stallMinutes))) {
      return false;
    }
    await endAsFailed(deps, run, run.failure);
  } else {
    if (deps.stallMinutes === undefined || !isStalled(run, now, deps.stallMinutes)) return false;
    await endAsFailed(deps, run, stallFailure(run, deps.stallMinutes));
  }
  const ended = await deps.runs.get(run.runId);
  return ended !== undefined && failedInProcessing(ended);
}

export type ResumeStage = 'chunk' | 'reduce' | 'finalize' | 'publish';

export interface PendingTasks {
  readonly stage: ResumeStage;
  readonly tasks: readonly IngestTask[];
  /** Tasks of the stage still to run, out of `total`. */
  readonly pending: number;
  readonly total: number;
}

/**
 * The tasks a run still needs, from what its record says is done: the chunks not done; once all
 * are, the reduce buckets not done; then its finalize. A run that carries a failure needs only its
 * finalize, which writes its rejected report. A run publishing (accepted, `identityParts` being
 * what it publishes) needs the parts not yet published; with every part published but the run not
 * yet promoted, one part again, whose task then promotes it.
 */
export function pendingTasks(
  run: IngestRun,
  progress: RunProgress,
  identityParts: readonly IdentityPart[] = [],
): PendingTasks {
  const runId = run.runId;
  const finalize: PendingTasks = {
    stage: 'finalize',
    tasks: [{ type: 'finalize', runId }],
    pending: 1,
    total: 1,
  };
  if (run.failure) return finalize;
  if (run.status === 'publishing') {
    const published = new Set(progress.parts);
    const left = identityParts.filter((p) => !published.has(`${p.bucket}/${p.part}`));
    const last = identityParts.at(-1);
    // No part at all: its finalize promotes it.
    if (!last) return finalize;
    return {
      stage: 'publish',
      tasks: (left.length > 0 ? left : [last]).map((p) => ({ type: 'publish', runId, ...p })),
      pending: left.length,
      total: identityParts.length,
    };
  }
  if (run.chunkCount === 0) return finalize;
  const chunksDone = new Set(progress.chunks);
  const chunks = indices(run.chunkCount).filter((i) => !chunksDone.has(i));
  if (chunks.length > 0) {
    return {
      stage: 'chunk',
      tasks: chunks.map((index) => ({ type: 'chunk', runId, index })),
      pending: chunks.length,
      total: run.chunkCount,
    };
  }
  const bucketsDone = new Set(progress.buckets);
  const buckets = indices(run.bucketCount).filter((b) => !bucketsDone.has(b));
  if (buckets.length > 0) {
    return {
      stage: 'reduce',
      tasks: buckets.map((bucket) => ({ type: 'reduce', runId, bucket })),
      pending: buckets.length,
      total: run.bucketCount,
    };
  }
  return finalize;
}

function indices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export type RecoveryOutcome =
  | ({ readonly kind: 'resumed'; readonly run: IngestRun } & PendingTasks)
  | { readonly kind: 'failed'; readonly run: IngestRun; readonly report: IngestReport };

export interface ResumeDeps extends EndRunDeps {
  readonly runs: RunStore & RunMonitor;
  readonly tasks: IngestTaskQueue;
  readonly work: ObjectStore;
}

/**
 * Resumes every run left active by a process whose queue messages are lost: re-queues the tasks
 * each still needs. A run whose plan is gone (its working objects expired) cannot be resumed and
 * is ended as failed in processing, with its report. Only for a queue known to have lost its
 * messages: on a live queue the re-queued tasks would run twice (harmless, but wasted).
 */
export async function resumeInterruptedRuns(deps: ResumeDeps): Promise<RecoveryOutcome[]> {
  const outcomes: RecoveryOutcome[] = [];
  const active = (await deps.runs.active()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const run of active) {
    const plan = await deps.work.getJson(workKeys.plan(run.runId), z.unknown());
    if (plan === undefined) {
      const report = await endAsFailed(deps, run, {
        problem: 'processing-failed',
        message:
          'la ingesta se interrumpió y no puede reanudarse porque su plan de trabajo ya no existe; ' +
          `vuelva a subir el archivo o ejecute "${retryCommand(run)}" para procesarlo de nuevo`,
      });
      outcomes.push({ kind: 'failed', run, report });
      continue;
    }
    const progress = (await deps.runs.progress(run.runId)) ?? { chunks: [], buckets: [], parts: [] };
    const parts = run.status === 'publishing' ? await identityPartsOf(deps.work, run.runId) : [];
    if (parts === undefined) {
      const report = await endAsFailed(deps, run, {
        problem: 'processing-failed',
        message:
          'la ingesta se interrumpió mientras publicaba las identidades y no puede reanudarse porque ' +
          `lo aceptado ya no existe; vuelva a subir el archivo o ejecute "${retryCommand(run)}"`,
      });
      outcomes.push({ kind: 'failed', run, report });
      continue;
    }
    const pending = pendingTasks(run, progress, parts);
    await deps.tasks.sendAll(pending.tasks);
    outcomes.push({ kind: 'resumed', run, ...pending });
  }
  return outcomes;
}

/**
 * When an ingest run counts as stalled, and when a new upload of its content starts a new attempt.
 *
 * A run makes progress by its tasks: every chunk, bucket or identity part recorded as done, and
 * every failure, moves the run record's `updatedAt`. A run still `processing` or `publishing` whose
 * record has not moved for the stall threshold has lost its tasks (a worker killed on its last
 * delivery, a local process killed with its in-memory queue) and will never end by itself. Plain
 * functions over run records: the watchdog, the planner and the local start apply them.
 */
import type { IngestRun, RunStatus } from './ports';

/** Statuses of a run that has not ended yet. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['processing', 'publishing'];

export class StallThresholdError extends Error {
  override readonly name = 'StallThresholdError';
}

/** Throws a readable error unless `minutes` is a usable stall threshold. */
export function checkStallMinutes(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new StallThresholdError(`the stall threshold must be a positive number of minutes, not ${minutes}`);
  }
  return minutes;
}

export function isActive(run: IngestRun): boolean {
  return ACTIVE_STATUSES.includes(run.status);
}

/** When the run last made progress, in epoch ms (its creation if `updatedAt` is unreadable). */
export function lastProgressMs(run: IngestRun): number {
  const updated = Date.parse(run.updatedAt);
  return Number.isNaN(updated) ? Date.parse(run.createdAt) : updated;
}

/**
 * Whether the run is active and has made no progress for at least `stallMinutes`. A run whose
 * record carries no readable time at all counts as stalled: nothing shows that it moves.
 */
export function isStalled(run: IngestRun, now: Date, stallMinutes: number): boolean {
  const threshold = checkStallMinutes(stallMinutes) * 60_000;
  if (!isActive(run)) return false;
  const last = lastProgressMs(run);
  if (Number.isNaN(last)) return true;
  return now.getTime() - last >= threshold;
}

/** The stalled runs among `runs`, the longest stalled first. */
export function stalledRuns(runs: readonly IngestRun[], now: Date, stallMinutes: number): IngestRun[] {
  checkStallMinutes(stallMinutes);
  return runs
    .filter((r) => isStalled(r, now, stallMinutes))
    .sort((a, b) => (lastProgressMs(a) || 0) - (lastProgressMs(b) || 0));
}

/** The command that sends a file of the cut through ingest again (see the README). */
export function retryCommand(run: Pick<IngestRun, 'cut' | 'source'>): string {
  return `npm run san -- retry ${run.cut} ${run.source}`;
}

/** The failure recorded on a stalled run; its message is what the data team reads in the report. */
export function stallFailure(
  run: IngestRun,
  stallMinutes: number,
): { readonly problem: 'processing-failed'; readonly message: string } {
  return {
    problem: 'processing-failed',
    message:
      `la ingesta dejó de avanzar: sin progreso desde ${run.updatedAt} (más de ${stallMinutes} minutos); ` +
      `vuelva a subir el archivo o ejecute "${retryCommand(run)}" para procesarlo de nuevo`,
  };
}

/**
 * A run whose processing failed, not its file: rejected, or still shown as processing when the
 * finalize that would have rejected it never ran. Uploading its content again starts a new attempt.
 */
export function failedInProcessing(run: IngestRun): boolean {
  return run.status !== 'done' && run.failure?.problem === 'processing-failed';
}

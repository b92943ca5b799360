/**
 * The one rule for a run that cannot go on, whichever task finds out: its failure is recorded (the
 * first one recorded stays), then the run is finalized, which ends it rejected with that failure in
 * its report. The worker applies it to a task that failed on its last delivery; a task of a run
 * planned with another shuffle format applies it at once.
 */
import type { FileProblem } from '../csv-reader';
import type { IngestRunDeps } from './deps';
import { finalizeRun } from './finalize';

export interface RunFailure {
  readonly problem: FileProblem;
  readonly message: string;
}

/**
 * Records `failure` on the run and finalizes it: by queueing a finalize task, or, when the task
 * that failed is finalize itself (`from: 'finalize'`), by finalizing here and now.
 */
export async function failRun(
  deps: IngestRunDeps,
  runId: string,
  failure: RunFailure,
  from: 'task' | 'finalize' = 'task',
): Promise<void> {
  await deps.runs.fail(runId, { problem: failure.problem, message: failure.message });
  if (from === 'finalize') await finalizeRun(deps, runId);
  else await deps.tasks.sendAll([{ type: 'finalize', runId }]);
}

/**
 * The last stage of an ingest run, after finalize has accepted it: publish, then promote.
 *
 * Nothing of a run becomes visible before the whole run is accepted, and that includes identities.
 * Reduce tasks write the identities they find to the work bucket, not to the identity table, in
 * parts of a bounded size (`IDENTITY_PART_CHARS`). Finalize, once it accepts the run, saves the
 * report and quality report it would promote, moves the run to `publishing` and queues one publish
 * task per part. Each publish task writes its part's identities to the identity store. One task per
 * part, not per bucket, keeps each task under a minute of the SDK's CPU; a bucket of a national
 * registry would take longer than the worker's timeout. When every part is published, the run is
 * promoted: the open inconsistencies and the quality report are written, `_SUCCESS.json` is
 * switched to the run, its report is written, its comunas are queued for scoring and the run is
 * `done`. Identities come before promotion, so every child on the new roster already has one.
 *
 * A run refused or failed before finalize accepts it never reaches `publishing`, so it writes no
 * identity. A publish task that keeps failing ends the run failed in processing. The parts already
 * published stay written: they hold the accepted file's identities. Uploading the file again runs
 * it afresh. Every step is idempotent: a redelivered publish task writes the same records again,
 * and its part counts once.
 */
import { z } from 'zod';
import type { IdentityRecord, IdentityWriteCounts } from '../../../identity/domain/identity';
import { curatedKeys, qualityKeys, successSchema } from '../../../shared/domain/curated';
import type { ObjectStore } from '../../../shared/domain/object-store';
import { hasOffice } from '../../../shared/domain/oln-offices';
import { linesOf } from '../lines';
import type { IdentityWriter, IngestRun, IngestTaskQueue, RunStore, ScoreRequestQueue } from '../ports';
import type { IngestReport } from '../report';
import { rawKeys, workKeys } from './work-layout';

export interface PublishDeps {
  readonly raw: ObjectStore;
  readonly work: ObjectStore;
  readonly curated: ObjectStore;
  readonly runs: RunStore;
  readonly tasks: IngestTaskQueue;
  readonly identities: IdentityWriter;
  readonly scoreRequests: ScoreRequestQueue;
  readonly now?: () => Date;
}

const acceptedSchema = z.object({
  report: z.record(z.string(), z.unknown()),
  quality: z.unknown(),
  /** How many parts of identities each bucket holds, by bucket. */
  identityParts: z.array(z.number().int().min(0)),
  /** Comunas of the run this one replaces, saved when promotion begins so that a redone one has them. */
  replacedComunas: z.array(z.string()).optional(),
});
type Staged = z.infer<typeof acceptedSchema>;

const publishStatsSchema = z.object({ written: z.number(), olderThanStored: z.number() });

export interface AcceptedRun {
  readonly report: IngestReport;
  /** The quality report for `quality/<cut>/<source>.json`. */
  readonly quality: unknown;
  /** The source's open inconsistencies after this cut, one NDJSON line each. */
  readonly openAfter: readonly string[];
  /** How many parts of identities each bucket holds, by bucket. */
  readonly identityParts: readonly number[];
}

/**
 * Saves what finalize accepted, moves the run to `publishing` and queues its publish tasks (a run
 * with no identity to publish is promoted at once).
 */
export async function acceptRun(deps: PublishDeps, run: IngestRun, accepted: AcceptedRun): Promise<void> {
  await deps.work.putLines(workKeys.acceptedOpen(run.runId), accepted.openAfter);
  const staged: Staged = {
    report: { ...accepted.report },
    quality: accepted.quality,
    identityParts: [...accepted.identityParts],
  };
  await deps.work.putJson(workKeys.accepted(run.runId), staged);
  const total = partsOf(staged).length;
  // Refused when another delivery of finalize got there first (it queues the tasks), or when a
  // failure was recorded meanwhile (its own finalize ends the run rejected).
  if (!(await deps.runs.startPublishing(run.runId, total))) return;
  await queuePublishing(deps, { ...run, status: 'publishing', publishTotal: total }, staged);
}

/**
 * For a finalize delivered again once the run is publishing: queues the publish tasks again (a
 * part published twice writes the same records and counts once) and returns the accepted report.
 */
export async function resumePublishing(deps: PublishDeps, run: IngestRun): Promise<IngestReport> {
  const staged = await acceptedOf(deps.work, run.runId);
  await queuePublishing(deps, run, staged);
  // Written by this run's finalize.
  return staged.report as unknown as IngestReport;
}

/** One part of a bucket's identities, as a publish task names it. */
export interface IdentityPart {
  readonly bucket: number;
  readonly part: number;
}

/**
 * Every identity part an accepted run publishes, bucket by bucket; undefined when what finalize
 * accepted is not in the work bucket (the run was never accepted, or its objects expired).
 */
export async function identityPartsOf(work: ObjectStore, runId: string): Promise<IdentityPart[] | undefined> {
  const staged = await work.getJson(workKeys.accepted(runId), acceptedSchema);
  return staged && partsOf(staged);
}

/** Every identity part of the run, bucket by bucket. */
function partsOf(staged: Staged): IdentityPart[] {
  return staged.identityParts.flatMap((parts, bucket) =>
    Array.from({ length: parts }, (_, part) => ({ bucket, part })),
  );
}

async function queuePublishing(deps: PublishDeps, run: IngestRun, staged: Staged): Promise<void> {
  const parts = partsOf(staged);
  if (parts.length === 0) {
    await promoteRun(deps, run, staged);
    return;
  }
  await deps.tasks.sendAll(parts.map((p) => ({ type: 'publish' as const, runId: run.runId, ...p })));
}

export type PublishOutcome =
  | { readonly status: 'skipped' }
  | { readonly status: 'published'; readonly counts: IdentityWriteCounts }
  | { readonly status: 'promoted'; readonly counts: IdentityWriteCounts; readonly report: IngestReport };

/**
 * Writes one part of a bucket's identities to the identity store, streamed from the work bucket,
 * and promotes the run once every part is published. A task of a run that is not publishing
 * (ended, or failed meanwhile) writes nothing.
 */
export async function publishPart(
  deps: PublishDeps,
  runId: string,
  bucket: number,
  part: number,
): Promise<PublishOutcome> {
  const run = await deps.runs.get(runId);
  if (!run) throw new Error(`run ${runId} is not recorded`);
  if (run.status !== 'publishing' || run.failure) return { status: 'skipped' };
  const key = workKeys.identities(runId, bucket, part);
  const counts = await deps.identities.putAll(heldIdentities(deps.work, key));
  await deps.work.putJson(workKeys.publishStats(runId, bucket, part), counts);
  if ((await deps.runs.partPublished(runId, bucket, part)) < run.publishTotal) {
    return { status: 'published', counts };
  }
  const report = await promoteRun(deps, run, await acceptedOf(deps.work, runId));
  return { status: 'promoted', counts, report };
}

async function* heldIdentities(store: ObjectStore, key: string): AsyncGenerator<IdentityRecord> {
  // Written by this run's reduce task from validated rows.
  for await (const line of linesOf(store, key)) yield JSON.parse(line) as IdentityRecord;
}

/**
 * Makes the accepted run the one readers see, as finalize did before identities were published
 * apart. Scoring is queued before the run is marked done, so that a promotion cut short is redone
 * whole by the task's next delivery.
 */
async function promoteRun(deps: PublishDeps, run: IngestRun, staged: Staged): Promise<IngestReport> {
  const now = deps.now ?? (() => new Date());
  const { runId, cut, source } = run;
  const identities = { written: 0, olderThanStored: 0 };
  for (const { bucket, part } of partsOf(staged)) {
    const stats = await deps.work.getJson(workKeys.publishStats(runId, bucket, part), publishStatsSchema);
    if (!stats) throw new Error(`run ${runId}: identity part ${bucket}/${part} has no publish statistics`);
    identities.written += stats.written;
    identities.olderThanStored += stats.olderThanStored;
  }
  let replaced = staged.replacedComunas;
  if (!replaced) {
    const previous = await deps.curated.getJson(curatedKeys.success(cut, source), successSchema);
    replaced = Object.keys((previous?.report.acceptedByComuna as Record<string, number> | undefined) ?? {});
    await deps.work.putJson(workKeys.accepted(runId), { ...staged, replacedComunas: replaced });
  }
  // Written by this run's finalize.
  const accepted = staged.report as unknown as IngestReport;
  const report: IngestReport = { ...accepted, identities, finishedAt: now().toISOString() };
  const open = await deps.work.open(workKeys.acceptedOpen(runId));
  if (!open) throw new Error(`run ${runId} has no open inconsistencies saved`);
  const pieces: Buffer[] = [];
  for await (const piece of open) pieces.push(Buffer.from(piece as Buffer));
  await deps.curated.putLines(qualityKeys.open(cut, source), Buffer.concat(pieces));
  await deps.curated.putJson(qualityKeys.report(cut, source), staged.quality);
  await deps.curated.putJson(curatedKeys.success(cut, source), { runId, report });
  await deps.raw.putJson(rawKeys.report(run.objectKey), report);
  // Every comuna's rows are kept (a child moves, a parent lives elsewhere); a nómina is scored only
  // where an OLN office works from it (configuration, read at each cut).
  const comunas = [...new Set([...Object.keys(report.acceptedByComuna), ...replaced])]
    .filter((comuna) => hasOffice(comuna))
    .sort();
  await deps.scoreRequests.sendAll(comunas.map((comuna) => ({ cut, comuna })));
  await deps.runs.finish(runId, 'done', report);
  return report;
}

async function acceptedOf(work: ObjectStore, runId: string): Promise<Staged> {
  const staged = await work.getJson(workKeys.accepted(runId), acceptedSchema);
  if (!staged) throw new Error(`run ${runId} has no accepted report`);
  return staged;
}

/**
 * Stage 4 of an ingest run: the counts of the plan, the chunks and the buckets are summed into the
 * report (read = accepted + rejected + duplicates) and the run is accepted or refused; an accepted
 * run moves to publishing (`publish.ts`).
 */
import { contractOf } from '../contracts';
import type { CsvLayout } from '../csv-reader';
import { emptyEncodingTally, encodingSummary, mergeEncodingTally } from '../line-decoder';
import type { QualityTally } from '../quality';
import { buildQualityReport, mergeTally, tallyDuplicates } from '../quality';
import type { IngestReport } from '../report';
import { addCounts, assertAccounted, layoutSummary, rejectedReport } from '../report';
import { carryInconsistencies } from './carry-over';
import type { IngestRunDeps } from './deps';
import { acceptRun, resumePublishing } from './publish';
import { bucketStatsSchema, chunkStatsSchema, loadPlan, rawKeys, workKeys } from './work-layout';

/**
 * Sums the run into its report and decides: a failed run, or one whose file disagrees with the
 * manifest, ends rejected; an accepted one moves to publishing, whose last task promotes it.
 */
export async function finalizeRun(deps: IngestRunDeps, runId: string): Promise<IngestReport> {
  const now = deps.now ?? (() => new Date());
  const plan = await loadPlan(deps.work, runId);
  const run = await deps.runs.get(runId);
  if (!run) throw new Error(`run ${runId} is not recorded`);
  if (run.report && (run.status === 'done' || run.status === 'rejected')) return run.report;
  if (run.status === 'publishing' && !run.failure) return resumePublishing(deps, run);
  const contract = contractOf(plan.source);
  const base = {
    source: plan.source,
    contractVersion: contract.version,
    cut: plan.cut,
    objectKey: plan.objectKey,
    runId,
    sha256: plan.sha256,
    layout: layoutSummary(plan.layout as CsvLayout),
    bytes: plan.bytes,
    chunks: plan.chunks.length,
    startedAt: plan.startedAt,
  };
  if (run.failure) {
    // Failed while publishing: the buckets published so far hold this accepted file's identities.
    const message =
      run.status === 'publishing'
        ? `${run.failure.message}; el archivo había sido aceptado y parte de sus identidades ya se ` +
          'escribieron, pero no se publicó: vuelva a subirlo para terminar'
        : run.failure.message;
    const report = {
      ...rejectedReport(base, run.failure.problem, message),
      finishedAt: now().toISOString(),
    };
    await deps.raw.putJson(rawKeys.report(plan.objectKey), report);
    await deps.runs.finish(runId, 'rejected', report);
    return report;
  }
  let rowsRead = 0;
  let rejected = 0;
  const reasons: Record<string, number> = {};
  const quarantine: string[] = [];
  const tally: QualityTally = {};
  let structural = 0;
  let fieldsTooLong = 0;
  const encoding = emptyEncodingTally();
  // The plan's own rejections (lines in no chunk) first, then each chunk's; plans from before the
  // plan counted any have no statistics of their own.
  const planStats = await deps.work.getJson(workKeys.planStats(runId), chunkStatsSchema);
  for (let i = -1; i < plan.chunks.length; i++) {
    const stats =
      i < 0 ? planStats : await deps.work.getJson(workKeys.chunkStats(runId, i), chunkStatsSchema);
    if (!stats) {
      if (i < 0) continue;
      throw new Error(`run ${runId}: chunk ${i} has no statistics`);
    }
    rowsRead += stats.rowsRead;
    rejected += stats.rejected;
    addCounts(reasons, stats.rejectionsByReason);
    quarantine.push(...stats.quarantine);
    mergeTally(tally, stats.quality);
    structural += stats.structural;
    fieldsTooLong += stats.fieldTooLong;
    mergeEncodingTally(encoding, stats.encoding);
  }
  if (plan.records !== undefined && plan.records !== rowsRead) {
    // The plan and the chunks read the same bytes with the same scanner: a difference is a defect.
    throw new Error(`run ${runId}: the plan counted ${plan.records} records and the chunks read ${rowsRead}`);
  }
  let accepted = 0;
  let duplicates = 0;
  const byComuna: Record<string, number> = {};
  const identityParts: number[] = [];
  const bucketCount = plan.chunks.length === 0 ? 0 : plan.bucketCount;
  for (let b = 0; b < bucketCount; b++) {
    const stats = await deps.work.getJson(workKeys.bucketStats(runId, b), bucketStatsSchema);
    if (!stats) throw new Error(`run ${runId}: bucket ${b} has no statistics`);
    identityParts.push(stats.identityParts);
    accepted += stats.accepted;
    duplicates += stats.duplicates;
    addCounts(byComuna, stats.acceptedByComuna);
    for (const [key, n] of Object.entries(stats.duplicatesByQualityKey)) tallyDuplicates(tally, key, n);
  }
  const openAfter = await carryInconsistencies(deps, plan, tally);
  const quality = buildQualityReport(contract, { cut: plan.cut, runId }, tally);
  const report = assertAccounted({
    ...base,
    status: 'accepted',
    rowsRead,
    accepted,
    rejected,
    duplicates,
    rejectionsByReason: reasons,
    acceptedByComuna: byComuna,
    quality: quality.total.scores,
    quarantine,
    quarantinedForStructure: structural,
    fieldsTooLong,
    encoding: encodingSummary(encoding, plan.layout.encoding),
    ...(plan.manifest ? { manifest: plan.manifest } : {}),
    finishedAt: now().toISOString(),
  });
  // Accepted: its identities are written, then it is promoted (`publish.ts`).
  await acceptRun(deps, run, { report, quality, openAfter, identityParts });
  return report;
}

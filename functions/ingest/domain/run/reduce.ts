/**
 * Stage 3 of an ingest run, one task per shuffle bucket: duplicates are dropped (the copy on the
 * earliest line is kept), the curated records are written per comuna under the run's own folder
 * and each child's identity is held in the work bucket. The last bucket done queues finalize.
 */

import { curatedKeys } from '../../../shared/domain/curated';
import { linesOf } from '../lines';
import { PartWriter } from '../part-writer';
import type { IngestRunDeps } from './deps';
import { childIdOfKey, endedForFormat, shuffleEntry, shuffleRow } from './shuffle-format';
import { IDENTITY_PART_CHARS, loadPlan, workKeys } from './work-layout';

/**
 * Drops duplicates within a shuffle bucket and writes its curated records, in two streaming passes:
 * the first keeps only each key's earliest line, the second writes the rows on those lines. Memory
 * holds the keys, not the records. Each child's identity goes to the work bucket, to be published
 * only once the whole run is accepted.
 */
export async function reduceBucket(deps: IngestRunDeps, runId: string, bucket: number): Promise<void> {
  const plan = await loadPlan(deps.work, runId);
  if (await endedForFormat(deps, plan)) return;
  const keys = await deps.work.list(workKeys.shufflePrefix(runId, bucket));
  const earliest = new Map<string, number>();
  const rowsByQualityKey: Record<string, number> = {};
  let total = 0;
  for (const key of keys) {
    for await (const text of linesOf(deps.work, key)) {
      const { key: k, line, qualityKey } = shuffleEntry(text);
      total++;
      rowsByQualityKey[qualityKey] = (rowsByQualityKey[qualityKey] ?? 0) + 1;
      const seen = earliest.get(k);
      if (seen === undefined) earliest.set(detached(k), line);
      else if (line < seen) earliest.set(k, line);
    }
  }
  const curated = new PartWriter<string>(deps.curated, (comuna, part) =>
    curatedKeys.part(plan.cut, plan.source, runId, comuna, bucket, part),
  );
  const byComuna: Record<string, number> = {};
  const identities = new PartWriter<number>(
    deps.work,
    (b, part) => workKeys.identities(runId, b, part),
    IDENTITY_PART_CHARS,
  );
  const identified = new Set<string>();
  let accepted = 0;
  for (const key of keys) {
    for await (const text of linesOf(deps.work, key)) {
      const { key: k, line, qualityKey, rest } = shuffleEntry(text);
      if (earliest.get(k) !== line) continue;
      earliest.delete(k);
      rowsByQualityKey[qualityKey] = (rowsByQualityKey[qualityKey] ?? 0) - 1;
      const row = shuffleRow(text, rest);
      accepted++;
      byComuna[row.comuna] = (byComuna[row.comuna] ?? 0) + 1;
      const flushing = curated.add(row.comuna, row.record);
      if (flushing) await flushing;
      const childId = childIdOfKey(k);
      if (!identified.has(childId)) {
        identified.add(detached(childId));
        // Kept as the chunk task serialised it; published once the run is accepted.
        const holding = identities.add(bucket, row.identity);
        if (holding) await holding;
      }
    }
  }
  await curated.close();
  await identities.close();
  await deps.work.putJson(workKeys.bucketStats(runId, bucket), {
    accepted,
    duplicates: total - accepted,
    acceptedByComuna: byComuna,
    duplicatesByQualityKey: Object.fromEntries(Object.entries(rowsByQualityKey).filter(([, n]) => n > 0)),
    identityParts: identities.written.length,
  });
  const done = await deps.runs.bucketDone(runId, bucket);
  if (done >= plan.bucketCount) await deps.tasks.sendAll([{ type: 'finalize', runId }]);
}

/**
 * A copy of a short piece of a line that does not keep the line alive: V8 makes a slice of a
 * string a view into it, so a key kept in a map for a whole bucket would hold its whole shuffle
 * line (hundreds of bytes) in memory. Flattening a concatenation makes a new, small string.
 */
function detached(piece: string): string {
  return ` ${piece}`.slice(1);
}

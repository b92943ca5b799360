/**
 * Stage 2 of an ingest run, one task per chunk: rows are validated and pseudonymised; rejected rows
 * go to the quarantine with line, field and reason; accepted rows are shuffled into buckets by
 * child, so that all copies of a row meet in one bucket. The last chunk done queues the reducers.
 */
import { contractOf } from '../contracts';
import { DEFAULT_READ_OPTIONS, FileRejectedError } from '../csv-reader';
import { PartWriter } from '../part-writer';
import type { QualityTally } from '../quality';
import { createRowProcessor } from '../row-processor';
import type { OpenInconsistency } from './carry-over';
import { openKeysOf } from './carry-over';
import type { ChunkRowCounts } from './chunk-rows';
import { readChunkRows } from './chunk-rows';
import type { IngestRunDeps } from './deps';
import { endedForFormat, shuffleBucket, shuffleLine } from './shuffle-format';
import type { ChunkStats, IngestPlan } from './work-layout';
import { loadPlan, rawKeys, workKeys } from './work-layout';

/** Validates and pseudonymises one chunk, shuffling accepted rows to their reduce buckets. */
export async function processChunk(deps: IngestRunDeps, runId: string, index: number): Promise<void> {
  const plan = await loadPlan(deps.work, runId);
  if (await endedForFormat(deps, plan)) return;
  const chunk = plan.chunks[index];
  if (!chunk) throw new Error(`run ${runId} has no chunk ${index}`);
  const contract = contractOf(plan.source);
  const store = chunk.in === 'raw' ? deps.raw : deps.work;
  const body = await store.open(
    chunk.key,
    chunk.in === 'raw' ? { start: chunk.start, end: chunk.end } : undefined,
  );
  if (!body) throw new Error(`chunk ${index} of run ${runId} cannot be read from ${chunk.key}`);
  const tally: QualityTally = {};
  const process = createRowProcessor(contract, plan.cut, plan.layout, deps.pseudonymiser, tally);
  const shuffle = new PartWriter<number>(deps.work, (bucket, part) =>
    workKeys.shuffle(runId, bucket, index, part),
  );
  const quarantine = new PartWriter<'q'>(deps.raw, (_q, part) =>
    rawKeys.quarantine(plan.objectKey, index, part),
  );
  const open = new PartWriter<'o'>(deps.work, (_o, part) => workKeys.open(runId, index, part));
  const seen = new PartWriter<'s'>(deps.work, (_s, part) => workKeys.seen(runId, index, part));
  const previouslyOpen = plan.previousOpen ? await openKeysOf(deps.curated, plan.previousOpen) : undefined;
  let counts: ChunkRowCounts;
  try {
    counts = await readChunkRows(
      body,
      plan.layout,
      chunk.firstLine,
      process,
      deps.readOptions ?? DEFAULT_READ_OPTIONS,
      {
        rejected: (row) => quarantine.add('q', JSON.stringify(row)),
        accepted: (outcome) => {
          const line = shuffleLine(
            outcome.duplicateKey,
            outcome.line,
            outcome.qualityKey,
            outcome.record,
            outcome.identity,
          );
          // By child, not by the whole key: duplicates (equal keys, so the same child) still meet,
          // and a child's rows all reach one reducer, which writes its identity once.
          const shuffling = shuffle.add(shuffleBucket(outcome.record.childId, plan.bucketCount), line);
          const opening =
            outcome.unmet.length > 0
              ? open.add(
                  'o',
                  JSON.stringify({
                    k: outcome.duplicateKey,
                    q: outcome.qualityKey,
                    items: [...outcome.unmet],
                  } satisfies OpenInconsistency),
                )
              : undefined;
          const seeing = previouslyOpen?.has(outcome.duplicateKey)
            ? seen.add('s', outcome.duplicateKey)
            : undefined;
          return shuffling || opening || seeing ? Promise.all([shuffling, opening, seeing]) : undefined;
        },
      },
    );
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    await deps.runs.fail(runId, { problem: error.problem, message: error.message });
    await afterChunk(deps, plan, index);
    return;
  }
  await shuffle.close();
  await quarantine.close();
  await open.close();
  await seen.close();
  const stats: ChunkStats = {
    rowsRead: counts.rowsRead,
    rejected: counts.rejected,
    rejectionsByReason: counts.rejectionsByReason,
    quarantine: quarantine.written,
    quality: tally,
    structural: counts.notes.structural,
    fieldTooLong: counts.notes.fieldTooLong,
    encoding: counts.notes.encoding,
  };
  await deps.work.putJson(workKeys.chunkStats(runId, index), stats);
  await afterChunk(deps, plan, index);
}

async function afterChunk(deps: IngestRunDeps, plan: IngestPlan, index: number): Promise<void> {
  const done = await deps.runs.chunkDone(plan.runId, index);
  if (done < plan.chunks.length) return;
  const run = await deps.runs.get(plan.runId);
  if (run?.failure) {
    await deps.tasks.sendAll([{ type: 'finalize', runId: plan.runId }]);
    return;
  }
  await deps.tasks.sendAll(
    Array.from({ length: plan.bucketCount }, (_, bucket) => ({
      type: 'reduce' as const,
      runId: plan.runId,
      bucket,
    })),
  );
}

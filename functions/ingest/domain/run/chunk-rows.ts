/**
 * The rows of one chunk as every path reads them — the cloud's chunk tasks and the single pass of
 * validation and training alike: records found by the record scanner, each line decoded by what
 * its bytes are, every row validated and pseudonymised by the source's row processor. What becomes
 * of a row (a shuffle line, a quarantine line, a record in memory) is the caller's.
 */
import type { Readable } from 'node:stream';
import type { CsvLayout, ReadNotes, ReadOptions } from '../csv-reader';
import { emptyReadNotes, readRowBatches } from '../csv-reader';
import type { QuarantinedRow, RowOutcome, RowProcessor } from '../row-processor';
import { reasonKind } from '../row-processor';

export type AcceptedRow = Extract<RowOutcome, { kind: 'accepted' }>;

/**
 * Where a chunk's rows go. Each returns a promise only when the caller must wait for it (a part
 * being written), so that a row costs no await otherwise.
 */
export interface ChunkRowSink {
  rejected(row: QuarantinedRow): Promise<unknown> | undefined;
  accepted(row: AcceptedRow): Promise<unknown> | undefined;
}

export interface ChunkRowCounts {
  readonly rowsRead: number;
  readonly rejected: number;
  readonly rejectionsByReason: Record<string, number>;
  /** Malformed records, fields over the limit and the encodings of the chunk's lines. */
  readonly notes: ReadNotes;
}

/**
 * Reads, validates and pseudonymises the rows of a chunk's bytes, whose first line is `firstLine`,
 * handing each to `sink`. File-level problems raise `FileRejectedError`.
 */
export async function readChunkRows(
  bytes: Readable,
  layout: CsvLayout,
  firstLine: number,
  process: RowProcessor,
  options: ReadOptions,
  sink: ChunkRowSink,
): Promise<ChunkRowCounts> {
  const notes = emptyReadNotes();
  const reasons: Record<string, number> = {};
  let rowsRead = 0;
  let rejected = 0;
  for await (const batch of readRowBatches(bytes, layout, options, firstLine, notes)) {
    for (const row of batch) {
      rowsRead++;
      const outcome = process(row);
      if (outcome.kind === 'rejected') {
        rejected++;
        const kind = reasonKind(outcome.row);
        reasons[kind] = (reasons[kind] ?? 0) + 1;
        const waiting = sink.rejected(outcome.row);
        if (waiting) await waiting;
        continue;
      }
      const waiting = sink.accepted(outcome);
      if (waiting) await waiting;
    }
  }
  return { rowsRead, rejected, rejectionsByReason: reasons, notes };
}

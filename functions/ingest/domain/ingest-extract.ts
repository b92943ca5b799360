/**
 * Ingests one whole extract in a single pass and in memory: the path of the data team's local
 * validation and of model training. It is built from the cloud path's own pieces, so that the two
 * cannot read a file differently: the planner's streaming pass (`run/plan-scan.ts`: header, record
 * boundaries, the encoding of every line, the lines over the record limit) hands over each chunk as
 * it closes, each chunk is read with the chunk tasks' row reading (`run/chunk-rows.ts`), and the
 * plan's own rules (`run/plan-rules.ts`) refuse a file of malformed records and quarantine the lines
 * over the limit. Duplicates are then resolved as the reduce tasks resolve
 * them: the copy on the earliest line is kept, and a child's identity is that of its earliest kept
 * row. Every row read is accepted, rejected with its line, field and reason, or counted as a
 * duplicate. Nothing is written here. Memory holds one chunk and the accepted records.
 */
import { Readable } from 'node:stream';
import type { IdentityRecord } from '../../identity/domain/identity';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import type { SourceContract } from './contracts';
import type { CsvLayout, ReadOptions } from './csv-reader';
import {
  asFileError,
  DEFAULT_MAX_RECORD_BYTES,
  DEFAULT_READ_OPTIONS,
  FileRejectedError,
  layoutFromHeader,
} from './csv-reader';
import { emptyEncodingTally, encodingOf, encodingSummary, mergeEncodingTally } from './line-decoder';
import type { QualityReport, QualityTally } from './quality';
import { buildQualityReport, mergeTally, tallyDuplicates } from './quality';
import type { IngestReport } from './report';
import { addCounts, assertAccounted, layoutSummary, rejectedReport } from './report';
import type { CuratedRecord, QuarantinedRow, RowProcessor } from './row-processor';
import { createRowProcessor } from './row-processor';
import { readChunkRows } from './run/chunk-rows';
import { DEFAULT_SIZES } from './run/deps';
import { malformedRefusal, refusedAfterReading, tooLongRows } from './run/plan-rules';
import type { ScanResult } from './run/plan-scan';
import { scanFile } from './run/plan-scan';

export type { IngestReport } from './report';
export type { CuratedRecord, QuarantinedRow } from './row-processor';

export interface IngestResult {
  readonly report: IngestReport;
  /** The data-quality index of the file per institution and comuna (absent for a rejected file). */
  readonly quality?: QualityReport;
  /** Accepted records grouped by comuna CUT. */
  readonly partitions: ReadonlyMap<string, CuratedRecord[]>;
  readonly identities: readonly IdentityRecord[];
  /** Rejected rows: those over the record limit first (as the plan quarantines them), then by line. */
  readonly quarantine: readonly QuarantinedRow[];
}

export interface IngestInput {
  readonly contract: SourceContract<unknown>;
  readonly cut: string;
  readonly objectKey: string;
  readonly body: Readable;
  readonly pseudonymiser: Pseudonymiser;
  readonly readOptions?: ReadOptions;
  /** Size of the chunks read one at a time. @default the cloud's chunk size (32 MiB) */
  readonly chunkBytes?: number;
  /** Called every `progressEvery` rows with the number read so far. */
  readonly onProgress?: (rowsRead: number) => void;
}

export async function ingestExtract(input: IngestInput): Promise<IngestResult> {
  const { contract, cut, objectKey } = input;
  const options = input.readOptions ?? DEFAULT_READ_OPTIONS;
  const base = { source: contract.source, contractVersion: contract.version, cut, objectKey };
  const partitions = new Map<string, CuratedRecord[]>();
  const identities = new Map<string, IdentityRecord>();
  const chunkQuarantine: QuarantinedRow[] = [];
  const reasons: Record<string, number> = {};
  const byComuna: Record<string, number> = {};
  const seen = new Set<string>();
  const encoding = emptyEncodingTally();
  const tally: QualityTally = {};
  let rowsRead = 0;
  let duplicates = 0;
  let accepted = 0;
  let structural = 0;
  let fieldsTooLong = 0;
  let nextProgress = 10_000;
  // Rows are read from the first chunk on, with the header's layout; a header the contract refuses
  // is refused once the pass ends, in the planner's order of checks.
  let reading: { layout: CsvLayout; process: RowProcessor } | null | undefined;
  const readChunk = async (bytes: Buffer, firstLine: number, header: Buffer): Promise<void> => {
    if (reading === undefined) {
      try {
        // Encoding and compression are labels only: the final layout has them from the whole pass.
        const layout = layoutFromHeader(header, 'utf-8', false, contract);
        reading = { layout, process: createRowProcessor(contract, cut, layout, input.pseudonymiser, tally) };
      } catch (error) {
        if (!(error instanceof FileRejectedError)) throw error;
        reading = null;
      }
    }
    if (!reading) return;
    const counts = await readChunkRows(
      Readable.from([bytes]),
      reading.layout,
      firstLine,
      reading.process,
      options,
      {
        rejected: (row) => void chunkQuarantine.push(row),
        accepted: (outcome) => {
          if (seen.has(outcome.duplicateKey)) {
            duplicates++;
            tallyDuplicates(tally, outcome.qualityKey, 1);
            return undefined;
          }
          seen.add(outcome.duplicateKey);
          accepted++;
          const comuna = outcome.record.comuna;
          byComuna[comuna] = (byComuna[comuna] ?? 0) + 1;
          const list = partitions.get(comuna);
          if (list) list.push(outcome.record);
          else partitions.set(comuna, [outcome.record]);
          if (!identities.has(outcome.identity.childId))
            identities.set(outcome.identity.childId, outcome.identity);
          return undefined;
        },
      },
    );
    rowsRead += counts.rowsRead;
    addCounts(reasons, counts.rejectionsByReason);
    structural += counts.notes.structural;
    fieldsTooLong += counts.notes.fieldTooLong;
    mergeEncodingTally(encoding, counts.notes.encoding);
    if (input.onProgress && rowsRead >= nextProgress) {
      input.onProgress(rowsRead);
      nextProgress = rowsRead + 10_000;
    }
  };
  const refused = (
    problem: FileRejectedError['problem'],
    message: string,
    layout?: CsvLayout,
  ): IngestResult => ({
    report: rejectedReport(
      { ...base, ...(layout ? { layout: layoutSummary(layout) } : {}) },
      problem,
      message,
    ),
    partitions: new Map(),
    identities: [],
    quarantine: [],
  });

  let scan: ScanResult;
  try {
    scan = await scanFile(
      input.body,
      input.chunkBytes ?? DEFAULT_SIZES.chunkBytes,
      options,
      (_index, bytes, firstLine, header) => readChunk(bytes, firstLine, header),
      'all',
    );
  } catch (error) {
    const e = asFileError(error);
    if (!(e instanceof FileRejectedError)) throw e;
    return refused(e.problem, e.message);
  }
  if (scan.chunks.length === 0 && scan.header.length === 0) return refused('empty', 'el archivo está vacío');
  let layout: CsvLayout;
  try {
    layout = layoutFromHeader(scan.header, encodingOf(scan.encoding), scan.gzip, contract);
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    return refused(error.problem, error.message);
  }
  const malformed = malformedRefusal(scan);
  if (malformed) {
    return {
      report: {
        ...refusedAfterReading(
          { ...base, layout: layoutSummary(layout) },
          scan.records,
          malformed.problem,
          malformed.message,
        ),
        quarantinedForStructure: scan.malformed,
      },
      partitions: new Map(),
      identities: [],
      quarantine: [],
    };
  }
  // The lines over the record limit, in no chunk, are quarantined as the plan quarantines them.
  const planTally: QualityTally = {};
  const long = tooLongRows(
    scan.tooLong,
    createRowProcessor(contract, cut, layout, input.pseudonymiser, planTally),
    options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
  );
  mergeTally(tally, planTally);
  addCounts(reasons, long.reasons);
  rowsRead += long.rows.length;
  structural += long.rows.length;
  input.onProgress?.(rowsRead);
  const quarantine = [...long.rows, ...chunkQuarantine];
  const quality = buildQualityReport(contract, { cut, runId: 'local' }, tally);
  const report = assertAccounted({
    status: 'accepted',
    ...base,
    layout: layoutSummary(layout),
    rowsRead,
    accepted,
    rejected: quarantine.length,
    duplicates,
    rejectionsByReason: reasons,
    acceptedByComuna: byComuna,
    quality: quality.total.scores,
    quarantinedForStructure: structural,
    fieldsTooLong,
    encoding: encodingSummary(encoding, layout.encoding),
  });
  return { report, quality, partitions, identities: [...identities.values()], quarantine };
}

/** Where an extract's key says it belongs: `extracts/<yyyy-mm>/<source>.csv[.gz]`. */
export function parseExtractKey(
  key: string,
  prefix: string,
): { ok: true; cut: string; source: string } | { ok: false; reason: string } {
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
  const match = rest ? /^(\d{4}-\d{2})\/([a-z0-9-_]+)\.csv(\.gz)?$/.exec(rest) : null;
  if (!match) {
    return {
      ok: false,
      reason: `la ruta "${key}" no sigue el formato ${prefix}<aaaa-mm>/<fuente>.csv[.gz]`,
    };
  }
  const month = Number(match[1]?.slice(5));
  if (month < 1 || month > 12) return { ok: false, reason: `mes inválido en la ruta "${key}"` };
  return { ok: true, cut: match[1] ?? '', source: match[2] ?? '' };
}

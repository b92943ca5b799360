/**
 * What the plan decides of a scanned file beyond its chunks, which the single pass decides alike:
 * the refusal of a file of malformed records, the report of a file refused after reading, and the
 * rows of the lines over the record limit, which are in no chunk.
 */
import { contractOf } from '../contracts';
import type { CsvLayout, CsvRow, FileProblem } from '../csv-reader';
import { decodeLine, emptyEncodingTally } from '../line-decoder';
import type { QualityTally } from '../quality';
import { structuralReason } from '../record-scanner';
import type { IngestReport } from '../report';
import { rejectedReport } from '../report';
import type { QuarantinedRow, RowProcessor } from '../row-processor';
import { createRowProcessor, reasonKind } from '../row-processor';
import type { IngestRunDeps } from './deps';
import type { ScanResult } from './plan-scan';
import type { ChunkStats, IngestPlan } from './work-layout';
import { rawKeys, workKeys } from './work-layout';

/**
 * Lines over the record limit are in no chunk: the plan quarantines them and counts them as the
 * chunk tasks count theirs, in statistics that finalize adds to the chunks'.
 */
export async function writePlanStats(
  deps: IngestRunDeps,
  plan: IngestPlan,
  layout: CsvLayout,
  tooLong: ScanResult['tooLong'],
  maxRecordBytes: number,
): Promise<void> {
  const tally: QualityTally = {};
  const process = createRowProcessor(contractOf(plan.source), plan.cut, layout, deps.pseudonymiser, tally);
  const { rows, reasons } = tooLongRows(tooLong, process, maxRecordBytes);
  const lines = rows.map((row) => JSON.stringify(row));
  const quarantine = lines.length > 0 ? [rawKeys.planQuarantine(plan.objectKey)] : [];
  if (lines.length > 0) await deps.raw.putLines(rawKeys.planQuarantine(plan.objectKey), lines);
  const stats: ChunkStats = {
    rowsRead: lines.length,
    rejected: lines.length,
    rejectionsByReason: reasons,
    quarantine,
    quality: tally,
    structural: lines.length,
    fieldTooLong: 0,
    encoding: emptyEncodingTally(),
  };
  await deps.work.putJson(workKeys.planStats(plan.runId), stats);
}

/** The quarantined rows of the lines over the record limit, which no chunk holds, by reason kind. */
export function tooLongRows(
  tooLong: ScanResult['tooLong'],
  process: RowProcessor,
  maxRecordBytes: number,
): { rows: QuarantinedRow[]; reasons: Record<string, number> } {
  const reasons: Record<string, number> = {};
  const rows: QuarantinedRow[] = [];
  for (const { line, preview } of tooLong) {
    const row: CsvRow = {
      line,
      fields: [],
      problem: {
        field: '(registro)',
        reason: structuralReason('record-too-long', maxRecordBytes),
        preview: decodeLine(preview),
      },
    };
    const outcome = process(row);
    if (outcome.kind !== 'rejected') continue;
    const kind = reasonKind(outcome.row);
    reasons[kind] = (reasons[kind] ?? 0) + 1;
    rows.push(outcome.row);
  }
  return { rows, reasons };
}

/** More malformed records than this share of a file's records (and the floor) mean it is no CSV. */
const MALFORMED_SHARE = 0.1;
const MALFORMED_FLOOR = 10;

/** Why a scanned file is refused for its malformed records, if it is: then it is not taken as CSV. */
export function malformedRefusal(
  scan: Pick<ScanResult, 'malformed' | 'records'>,
): { problem: 'too-many-malformed'; message: string } | undefined {
  if (scan.malformed <= MALFORMED_FLOOR || scan.malformed <= scan.records * MALFORMED_SHARE) return undefined;
  return {
    problem: 'too-many-malformed',
    message:
      `${scan.malformed} de ${scan.records} registros no se pueden leer como CSV (comillas, bytes nulos o ` +
      `longitud): más del ${MALFORMED_SHARE * 100} %, el archivo no se toma como CSV`,
  };
}

/** The report of a file refused after its rows were counted: all of them read, none accepted. */
export function refusedAfterReading(
  base: Pick<IngestReport, 'source' | 'cut' | 'objectKey'> & Partial<IngestReport>,
  rows: number,
  problem: FileProblem,
  message: string,
): IngestReport {
  return {
    ...rejectedReport(base, problem, message),
    rowsRead: rows,
    rejected: rows,
    rejectionsByReason: rows > 0 ? { '(archivo): archivo rechazado entero': rows } : {},
  };
}

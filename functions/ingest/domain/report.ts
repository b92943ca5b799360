/**
 * The ingest report of one uploaded file: how it was read, and the proof that nothing was lost —
 * rows read = accepted + rejected + duplicates — with rejections counted by kind and accepted rows
 * by comuna. A rejected file's report says why, and nothing else of it is written.
 */
import type { CsvLayout, FileProblem } from './csv-reader';
import type { EncodingSummary } from './line-decoder';
import type { ManifestCheck } from './manifest';
import type { QualityScores } from './quality';

export type LayoutSummary = Pick<CsvLayout, 'encoding' | 'delimiter' | 'gzip' | 'unknownColumns'>;

export interface IngestReport {
  readonly status: 'accepted' | 'rejected' | 'already-ingested';
  readonly source: string;
  readonly contractVersion?: string;
  readonly cut: string;
  readonly objectKey: string;
  readonly runId?: string;
  readonly sha256?: string;
  readonly layout?: LayoutSummary;
  readonly bytes?: number;
  readonly chunks?: number;
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly rejectionsByReason: Readonly<Record<string, number>>;
  readonly acceptedByComuna: Readonly<Record<string, number>>;
  /** The file's data-quality index over all its institutions (details in the quality report). */
  readonly quality?: QualityScores;
  /**
   * Identities written to the identity table once the run was accepted, and those left as they were
   * because the table holds the child's record of a later cut from the same source.
   */
  readonly identities?: { readonly written: number; readonly olderThanStored: number };
  /** Objects holding the rejected rows with their line, field and reason. */
  readonly quarantine?: readonly string[];
  /** Rejected rows that were malformed records (quotes, NUL bytes, length), not invalid values. */
  readonly quarantinedForStructure?: number;
  /** Rejected rows with a field over the length limit. */
  readonly fieldsTooLong?: number;
  /** The file's encoding and the lines read in the other one. */
  readonly encoding?: EncodingSummary;
  /** What was compared with the cut's manifest, and what disagreed. */
  readonly manifest?: ManifestCheck;
  readonly error?: { readonly problem: FileProblem; readonly message: string };
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

export function layoutSummary(layout: CsvLayout): LayoutSummary {
  return {
    encoding: layout.encoding,
    delimiter: layout.delimiter,
    gzip: layout.gzip,
    unknownColumns: layout.unknownColumns,
  };
}

export function rejectedReport(
  base: Pick<IngestReport, 'source' | 'cut' | 'objectKey'> & Partial<IngestReport>,
  problem: FileProblem,
  message: string,
): IngestReport {
  return {
    ...base,
    status: 'rejected',
    rowsRead: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    rejectionsByReason: {},
    acceptedByComuna: {},
    error: { problem, message },
  };
}

export class RowAccountingError extends Error {
  override readonly name = 'RowAccountingError';
}

/** Refuses a report whose counts do not add up. */
export function assertAccounted(report: IngestReport): IngestReport {
  if (report.rowsRead !== report.accepted + report.rejected + report.duplicates) {
    throw new RowAccountingError(
      `row accounting broken for ${report.objectKey}: ${report.rowsRead} read ≠ ${report.accepted} accepted + ` +
        `${report.rejected} rejected + ${report.duplicates} duplicates`,
    );
  }
  return report;
}

/** Adds `from` into `into`, key by key. */
export function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Ingests one whole extract in a single pass and in memory: the path of the data team's local
 * validation and of model training. Every row read is accepted, rejected with its line, field and
 * reason, or counted as a duplicate. Nothing is written here. (In the cloud, large files go through
 * the fan-out in `run/`, which applies the same row processing chunk by chunk.)
 */
import type { Readable } from 'node:stream';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import type { SourceContract } from './contracts';
import type { CsvLayout, ReadNotes, ReadOptions } from './csv-reader';
import { DEFAULT_READ_OPTIONS, FileRejectedError, openCsv } from './csv-reader';
import { encodingOf, encodingSummary } from './line-decoder';
import type { QualityReport, QualityTally } from './quality';
import { buildQualityReport, tallyDuplicates } from './quality';
import type { IngestReport } from './report';
import { assertAccounted, layoutSummary, rejectedReport } from './report';
import type { CuratedRecord, IdentityRecord, QuarantinedRow } from './row-processor';
import { createRowProcessor, reasonKind } from './row-processor';

export type { IngestReport } from './report';
export type { CuratedRecord, IdentityRecord, QuarantinedRow } from './row-processor';

export interface IngestResult {
  readonly report: IngestReport;
  /** The data-quality index of the file per institution and comuna (absent for a rejected file). */
  readonly quality?: QualityReport;
  /** Accepted records grouped by comuna CUT. */
  readonly partitions: ReadonlyMap<string, CuratedRecord[]>;
  readonly identities: readonly IdentityRecord[];
  readonly quarantine: readonly QuarantinedRow[];
}

export interface IngestInput {
  readonly contract: SourceContract<unknown>;
  readonly cut: string;
  readonly objectKey: string;
  readonly body: Readable;
  readonly pseudonymiser: Pseudonymiser;
  readonly readOptions?: ReadOptions;
  /** Called every `progressEvery` rows with the number read so far. */
  readonly onProgress?: (rowsRead: number) => void;
}

export async function ingestExtract(input: IngestInput): Promise<IngestResult> {
  const { contract, cut, objectKey } = input;
  const partitions = new Map<string, CuratedRecord[]>();
  const identities = new Map<string, IdentityRecord>();
  const quarantine: QuarantinedRow[] = [];
  const reasons: Record<string, number> = {};
  const byComuna: Record<string, number> = {};
  const seen = new Set<string>();
  let rowsRead = 0;
  let duplicates = 0;
  let accepted = 0;
  let layout: CsvLayout | undefined;
  let notes: ReadNotes | undefined;
  const tally: QualityTally = {};
  try {
    const opened = await openCsv(input.body, contract, input.readOptions ?? DEFAULT_READ_OPTIONS);
    layout = opened.layout;
    notes = opened.notes;
    const process = createRowProcessor(contract, cut, layout, input.pseudonymiser, tally);
    for await (const row of opened.rows) {
      rowsRead++;
      if (input.onProgress && rowsRead % 10_000 === 0) input.onProgress(rowsRead);
      const outcome = process(row);
      if (outcome.kind === 'rejected') {
        quarantine.push(outcome.row);
        const kind = reasonKind(outcome.row);
        reasons[kind] = (reasons[kind] ?? 0) + 1;
        continue;
      }
      if (seen.has(outcome.duplicateKey)) {
        duplicates++;
        tallyDuplicates(tally, outcome.qualityKey, 1);
        continue;
      }
      seen.add(outcome.duplicateKey);
      accepted++;
      const comuna = outcome.record.comuna;
      byComuna[comuna] = (byComuna[comuna] ?? 0) + 1;
      const list = partitions.get(comuna) ?? [];
      list.push(outcome.record);
      partitions.set(comuna, list);
      const previous = identities.get(outcome.identity.childId);
      identities.set(outcome.identity.childId, { ...previous, ...outcome.identity });
    }
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    return {
      report: rejectedReport(
        {
          source: contract.source,
          contractVersion: contract.version,
          cut,
          objectKey,
          ...(layout ? { layout: layoutSummary(layout) } : {}),
        },
        error.problem,
        error.message,
      ),
      partitions: new Map(),
      identities: [],
      quarantine: [],
    };
  }
  input.onProgress?.(rowsRead);
  const quality = buildQualityReport(contract, { cut, runId: 'local' }, tally);
  // The encoding is told from every line read, as the planner tells it.
  const encoding = notes ? encodingOf(notes.encoding) : 'utf-8';
  if (layout) layout = { ...layout, encoding };
  const report = assertAccounted({
    status: 'accepted',
    source: contract.source,
    contractVersion: contract.version,
    cut,
    objectKey,
    ...(layout ? { layout: layoutSummary(layout) } : {}),
    rowsRead,
    accepted,
    rejected: quarantine.length,
    duplicates,
    rejectionsByReason: reasons,
    acceptedByComuna: byComuna,
    quality: quality.total.scores,
    quarantinedForStructure: notes?.structural ?? 0,
    fieldsTooLong: notes?.fieldTooLong ?? 0,
    ...(notes ? { encoding: encodingSummary(notes.encoding, encoding) } : {}),
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

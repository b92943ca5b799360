/**
 * Ingests one extract: every row read is accepted, rejected with its line, field and reason, or
 * counted as a duplicate, and the report proves `read = accepted + rejected + duplicates`.
 * Accepted rows are pseudonymised here; their personal data goes to the identity batch only.
 * Nothing is written by this module: the caller commits the result only if the whole file succeeds.
 */
import type { Readable } from 'node:stream';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import { canonicalRun } from '../../shared/domain/run';
import type { RshFields, SourceContract, SourceId } from './contracts';
import type { CsvLayout, FileProblem, ReadOptions } from './csv-reader';
import { DEFAULT_READ_OPTIONS, FileRejectedError, openCsv } from './csv-reader';

/** A curated record: pseudonymised, tagged with its source and cut, free of personal data. */
export type CuratedRecord = {
  readonly childId: string;
  readonly source: SourceId;
  readonly cut: string;
} & Record<string, unknown>;

export interface IdentityRecord {
  readonly childId: string;
  readonly run: string;
  readonly comuna: string;
  readonly givenNames?: string;
  readonly paternalSurname?: string;
  readonly maternalSurname?: string;
  readonly address?: string;
  readonly source: SourceId;
  readonly cut: string;
}

export interface QuarantinedRow {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface IngestReport {
  readonly status: 'accepted' | 'rejected';
  readonly source: string;
  readonly contractVersion?: string;
  readonly cut: string;
  readonly objectKey: string;
  readonly layout?: Omit<CsvLayout, 'header'>;
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly rejectionsByReason: Readonly<Record<string, number>>;
  readonly acceptedByComuna: Readonly<Record<string, number>>;
  readonly error?: { readonly problem: FileProblem; readonly message: string };
}

export interface IngestResult {
  readonly report: IngestReport;
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
}

/** Reads, validates and pseudonymises a whole extract. A file-level problem yields a rejected report. */
export async function ingestExtract(input: IngestInput): Promise<IngestResult> {
  const { contract, cut, objectKey, pseudonymiser } = input;
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

  const reject = (
    line: number,
    field: string,
    reason: string,
    values: Readonly<Record<string, string>>,
  ): void => {
    quarantine.push({ line, field, reason, values });
    const key = `${field}: ${reason.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N')}`;
    reasons[key] = (reasons[key] ?? 0) + 1;
  };

  try {
    const opened = await openCsv(input.body, contract, input.readOptions ?? DEFAULT_READ_OPTIONS);
    layout = opened.layout;
    for await (const row of opened.rows) {
      rowsRead++;
      if (row.fieldCount !== layout.header.length) {
        reject(
          row.line,
          '(fila)',
          `tiene ${row.fieldCount} campos y el encabezado ${layout.header.length}`,
          row.values,
        );
        continue;
      }
      const checked = contract.validate(row.values);
      if (!checked.ok) {
        reject(row.line, checked.error.field, checked.error.reason, row.values);
        continue;
      }
      const valid = checked.row;
      const childId = pseudonymiser.child(valid.run);
      const dupKey = `${contract.duplicateKey(valid)}`;
      if (seen.has(dupKey)) {
        duplicates++;
        continue;
      }
      seen.add(dupKey);
      accepted++;
      byComuna[valid.comuna] = (byComuna[valid.comuna] ?? 0) + 1;
      const fields = curatedFields(contract.source, valid.fields, pseudonymiser);
      const record: CuratedRecord = {
        childId,
        source: contract.source,
        cut,
        comuna: valid.comuna,
        ...fields,
      };
      const list = partitions.get(valid.comuna) ?? [];
      list.push(record);
      partitions.set(valid.comuna, list);
      const id = valid.identity;
      const previous = identities.get(childId);
      identities.set(childId, {
        childId,
        run: canonicalRun(id.run),
        comuna: id.comuna,
        givenNames: id.givenNames ?? previous?.givenNames,
        paternalSurname: id.paternalSurname ?? previous?.paternalSurname,
        maternalSurname: id.maternalSurname ?? previous?.maternalSurname,
        address: id.address ?? previous?.address,
        source: contract.source,
        cut,
      });
    }
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    return {
      report: {
        status: 'rejected',
        source: contract.source,
        contractVersion: contract.version,
        cut,
        objectKey,
        ...(layout ? { layout: layoutSummary(layout) } : {}),
        rowsRead,
        accepted: 0,
        rejected: 0,
        duplicates: 0,
        rejectionsByReason: {},
        acceptedByComuna: {},
        error: { problem: error.problem, message: error.message },
      },
      partitions: new Map(),
      identities: [],
      quarantine: [],
    };
  }

  const rejected = quarantine.length;
  if (rowsRead !== accepted + rejected + duplicates) {
    throw new Error(`row accounting broken: ${rowsRead} read ≠ ${accepted} + ${rejected} + ${duplicates}`);
  }
  return {
    report: {
      status: 'accepted',
      source: contract.source,
      contractVersion: contract.version,
      cut,
      objectKey,
      ...(layout ? { layout: layoutSummary(layout) } : {}),
      rowsRead,
      accepted,
      rejected,
      duplicates,
      rejectionsByReason: reasons,
      acceptedByComuna: byComuna,
    },
    partitions,
    identities: [...identities.values()],
    quarantine,
  };
}

/** The non-personal fields of a row, with identifiers other than the RUN pseudonymised too. */
function curatedFields(
  source: SourceId,
  fields: unknown,
  pseudonymiser: Pseudonymiser,
): Record<string, unknown> {
  if (source === 'rsh') {
    const { householdFolio, ...rest } = fields as RshFields;
    return { ...rest, householdId: pseudonymiser.household(householdFolio) };
  }
  return { ...(fields as Record<string, unknown>) };
}

function layoutSummary(layout: CsvLayout): Omit<CsvLayout, 'header'> {
  return {
    encoding: layout.encoding,
    delimiter: layout.delimiter,
    gzip: layout.gzip,
    unknownColumns: layout.unknownColumns,
  };
}

/** Where an extract's key says it belongs: `extracts/<yyyy-mm>/<source>.csv[.gz]`. */
export function parseExtractKey(
  key: string,
  prefix: string,
): { ok: true; cut: string; source: string } | { ok: false; reason: string } {
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
  const match = rest ? /^(\d{4}-\d{2})\/([a-z0-9-]+)\.csv(\.gz)?$/.exec(rest) : null;
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

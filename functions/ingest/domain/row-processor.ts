/**
 * What happens to one row, wherever it is read (a whole file or a chunk of one): rejected with its
 * line, field and reason, or validated, pseudonymised and split into a curated record (no personal
 * data) and an identity record (personal data, for the identity store only), with the key that
 * makes two rows duplicates.
 */

import type { IdentityRecord } from '../../identity/domain/identity';
import { cutKnowledgeDate } from '../../shared/domain/dates';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import { canonicalRun } from '../../shared/domain/run';
import type { IdentityFields, SourceContract, SourceId } from './contracts';
import type { CsvLayout, CsvRow } from './csv-reader';
import { rowValues } from './csv-reader';
import type { QualityTally } from './quality';
import { tallyAccepted, tallyRejected } from './quality';

/** A curated record: pseudonymised, tagged with its source and cut, free of personal data. */
export type CuratedRecord = {
  readonly childId: string;
  readonly source: SourceId;
  readonly cut: string;
  readonly comuna: string;
} & Record<string, unknown>;

export interface QuarantinedRow {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
  readonly values: Readonly<Record<string, string>>;
}

export type RowOutcome =
  | { readonly kind: 'rejected'; readonly row: QuarantinedRow }
  | {
      readonly kind: 'accepted';
      readonly line: number;
      /** Pseudonymised duplicate key: rows with equal keys are duplicates, the first one is kept. */
      readonly duplicateKey: string;
      readonly record: CuratedRecord;
      readonly identity: IdentityRecord;
      /** Institution and comuna under which the row's quality is counted. */
      readonly qualityKey: string;
      /** Completeness items the row lacks. */
      readonly unmet: readonly string[];
    };

export type RowProcessor = (row: CsvRow) => RowOutcome;

/**
 * @param layout the file's header and the canonical column at each of its positions.
 * @param tally receives each row's data-quality counts (validity, completeness, timeliness), keyed
 *   by the registering institution and comuna.
 */
export function createRowProcessor(
  contract: SourceContract<unknown>,
  cut: string,
  layout: Pick<CsvLayout, 'header' | 'columns'>,
  pseudonymiser: Pseudonymiser,
  tally: QualityTally,
): RowProcessor {
  const asOf = cutKnowledgeDate(cut) ?? `${cut}-28`;
  const headerLength = layout.header.length;
  // Bound once to the file's column positions; contract columns the file lacks read as empty.
  const validate = contract.validator(layout.columns);
  return (row) => {
    if (row.problem) {
      const values =
        row.problem.preview === undefined ? rowValues(row, layout) : { REGISTRO: row.problem.preview };
      tallyRejected(tally, contract, values);
      return {
        kind: 'rejected',
        row: { line: row.line, field: row.problem.field, reason: row.problem.reason, values },
      };
    }
    const fieldCount = row.fields.length;
    if (fieldCount !== headerLength) {
      const values = rowValues(row, layout);
      tallyRejected(tally, contract, values);
      return {
        kind: 'rejected',
        row: {
          line: row.line,
          field: '(fila)',
          reason: `tiene ${fieldCount} campos y el encabezado ${headerLength}`,
          values,
        },
      };
    }
    const checked = validate(row.fields);
    if (!checked.ok) {
      const values = rowValues(row, layout);
      tallyRejected(tally, contract, values);
      return { kind: 'rejected', row: { line: row.line, ...checked.error, values } };
    }
    const valid = checked.row;
    const childId = pseudonymiser.child(valid.run);
    const fields = contract.curate(valid.fields, pseudonymiser);
    const id = valid.identity;
    const { key: qualityKey, unmet } = tallyAccepted(tally, contract, valid.fields, valid.comuna, asOf);
    return {
      kind: 'accepted',
      line: row.line,
      qualityKey,
      unmet,
      duplicateKey: `${contract.source}|${childId}|${contract.duplicateKey(valid)}`,
      record: { childId, source: contract.source, cut, comuna: valid.comuna, ...fields },
      identity: identityRecord(childId, id, contract.source, cut),
    };
  };
}

/** The identity record: names, address and birth date only where the row has them, in a fixed key order. */
function identityRecord(childId: string, id: IdentityFields, source: SourceId, cut: string): IdentityRecord {
  const record: { -readonly [K in keyof IdentityRecord]: IdentityRecord[K] } = {
    childId,
    run: canonicalRun(id.run),
    comuna: id.comuna,
  } as IdentityRecord;
  if (id.givenNames) record.givenNames = id.givenNames;
  if (id.paternalSurname) record.paternalSurname = id.paternalSurname;
  if (id.maternalSurname) record.maternalSurname = id.maternalSurname;
  if (id.address) record.address = id.address;
  if (id.birthDate) record.birthDate = id.birthDate;
  record.source = source;
  record.cut = cut;
  return record;
}

/** Groups rejection reasons into countable kinds: quoted values and numbers are masked. */
export function reasonKind(row: QuarantinedRow): string {
  return `${row.field}: ${row.reason.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N')}`;
}

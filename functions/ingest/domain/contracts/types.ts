/** The shape every source contract has. */
import type { CuratedSource } from '../../../shared/domain/curated-records';
import type { Pseudonymiser } from '../../../shared/domain/pseudonym';
import type { Run } from '../../../shared/domain/run';

/** The sources with a contract: those the curated bucket has a record schema for. */
export type SourceId = CuratedSource;

/** Personal data separated from a row before anything is written to the curated bucket. */
export interface IdentityFields {
  readonly run: Run;
  readonly givenNames?: string;
  readonly paternalSurname?: string;
  readonly maternalSurname?: string;
  readonly address?: string;
  /** `yyyy-mm-dd`: with the names, what finds a child an alert names without RUN. */
  readonly birthDate?: string;
  readonly comuna: string;
}

/** A validated row, before pseudonymisation: the subject's RUN, its comuna and its other fields. */
export interface ValidatedRow<R> {
  readonly run: Run;
  /** Comuna the row is filed under (CUT); `00000` when the source does not say. */
  readonly comuna: string;
  readonly fields: R;
  readonly identity: IdentityFields;
}

/** Validates one row given as its fields, in the file's column order. */
export type RowValidator<R> = (
  fields: readonly string[],
) => { ok: true; row: ValidatedRow<R> } | { ok: false; error: RowError };

export interface RowError {
  readonly field: string;
  readonly reason: string;
}

/** A completeness item of the data-quality index: required where it applies, present or not. */
export interface CompletenessItem<R> {
  readonly item: string;
  readonly label: string;
  /** False where a documented exclusion applies (the item is then not counted); `asOf` is the cut's date. */
  applies(fields: R, asOf: string): boolean;
  present(fields: R, asOf: string): boolean;
}

/** A timeliness item: the event must be registered within `businessDays` business days. */
export interface TimelinessItem<R> {
  readonly item: string;
  readonly label: string;
  readonly businessDays: number;
  event(fields: R): string | undefined;
  registered(fields: R): string | undefined;
}

export interface QualityRules<R> {
  /** The registering institution (or project) whose quality is measured. */
  institution(fields: R): string;
  /** The same, from a row's raw values, for rows that failed validation (when the column is readable). */
  institutionOfRaw?(values: Readonly<Record<string, string>>): string | undefined;
  readonly completeness: readonly CompletenessItem<R>[];
  readonly timeliness: readonly TimelinessItem<R>[];
}

/**
 * A source's contract, over the fields `R` its validator reads from a row and the curated record
 * `C` it writes (the source's shared record, `CuratedFields<…>` of `shared/domain/curated-records.ts`).
 */
export interface SourceContract<R, C extends object = Record<string, unknown>> {
  readonly source: SourceId;
  readonly version: string;
  readonly description: string;
  /** The institution that produces the extract. */
  readonly producer: string;
  /** Canonical column name -> accepted header spellings (compared without case, accents or punctuation). */
  readonly columns: Readonly<Record<string, readonly string[]>>;
  readonly required: readonly string[];
  /**
   * The validator of the rows of a file whose header puts canonical column `columns[i]` at
   * position i (null where the file's column is not in the contract); a contract column absent
   * from the file reads as empty. Built once per file, called with each row's fields.
   */
  validator(columns: readonly (string | null)[]): RowValidator<R>;
  /**
   * Part of the duplicate key besides the subject: two rows of the same subject with equal parts
   * are duplicates; the first one is kept.
   */
  duplicateKey(row: ValidatedRow<R>): string;
  /** The non-personal fields written to the curated bucket, with other identifiers pseudonymised. */
  curate(fields: R, pseudonymiser: Pseudonymiser): C;
  readonly quality: QualityRules<R>;
}

/**
 * Field parsers shared by the source contracts: text, dates (dd-mm-yyyy or ISO), numbers with
 * decimal commas and thousands dots, yes/no flags, CUT codes, sex, months and RUNs. Each one says
 * what is wrong with a value in the words a data team reads.
 *
 * A contract declares its columns as a `rowSchema` of these parsers; the schema is bound once per
 * file to the positions of its columns, and then reads each row as the array of its fields, in the
 * order declared, stopping at the first column that fails. Ingest runs this for every row of
 * national extracts, so the common shapes of a value are read without regular expressions and
 * nothing is allocated for a value that passes.
 */
import { isKnownComuna, normaliseCut } from '../../../shared/domain/comunas';
import { parseDate } from '../../../shared/domain/dates';
import type { Run } from '../../../shared/domain/run';
import { parseRun } from '../../../shared/domain/run';
import type { RowError, RowValidator, TimelinessItem, ValidatedRow } from './types';

/** Institution codes read from rejected rows must look like codes, so that no free text leaks. */
export const INSTITUTION_CODE = /^[A-Za-z0-9-]{1,20}$/;

/** Why a value was refused, as the row's error reason. */
export class Invalid {
  constructor(readonly reason: string) {}
}

/** Reads one column's text into its value, or says why it cannot. */
export type FieldParser<T> = (value: string) => T | Invalid;

/** The parser with one more condition on its value. */
export function refine<T>(
  parser: FieldParser<T>,
  check: (value: T) => boolean,
  reason: string,
): FieldParser<T> {
  return (v) => {
    const parsed = parser(v);
    if (parsed instanceof Invalid) return parsed;
    return check(parsed) ? parsed : new Invalid(reason);
  };
}

/** `\s+` collapsed to one space, without a regular expression when there is nothing to collapse. */
function collapseSpaces(t: string): string {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c <= 32) {
      if (c !== 32 || t.charCodeAt(i + 1) <= 32) return t.replace(/\s+/g, ' ');
    } else if (c === 0xa0 || c >= 0x1680) {
      return t.replace(/\s+/g, ' ');
    }
  }
  return t;
}

/** Trimmed text of at most `max` characters, with runs of white space as one space. */
export const text =
  (max: number): FieldParser<string> =>
  (v) => {
    const t = v.trim();
    return t.length > max ? new Invalid(`más de ${max} caracteres`) : collapseSpaces(t);
  };
export const requiredText = (max: number): FieldParser<string> =>
  refine(text(max), (v) => v.length > 0, 'vacío');
export const optionalText = (max: number): FieldParser<string | undefined> => {
  const read = text(max);
  return (v) => {
    const t = read(v);
    return t === '' ? undefined : t;
  };
};

const badDate = (v: string): Invalid =>
  new Invalid(`fecha inválida "${v}" (se espera dd-mm-aaaa o aaaa-mm-dd)`);

export const isoDate: FieldParser<string> = (v) => parseDate(v) ?? badDate(v);

export const optionalDate: FieldParser<string | undefined> = (v) => {
  if (v.length === 0 || v.trim() === '') return undefined;
  return parseDate(v) ?? badDate(v);
};

/**
 * The value of plain digits (`529`) or of digits grouped by thousands dots (`529.305`), or -1 for
 * any other shape (which the general reading handles). Up to 15 digits, so the value is exact.
 */
function plainInteger(t: string): number {
  const length = t.length;
  if (length === 0 || length > 19) return -1;
  let n = 0;
  let digits = 0;
  let group = 0;
  let dots = false;
  for (let i = 0; i < length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits++;
      group++;
    } else if (c === 46 && (dots ? group === 3 : group >= 1 && group <= 3)) {
      dots = true;
      group = 0;
    } else {
      return -1;
    }
  }
  if (dots && group !== 3) return -1;
  return digits <= 15 ? n : -1;
}

/** Integers and decimals, accepting a decimal comma and thousands dots (`1.234,5`). */
export const decimal =
  (min: number, max: number): FieldParser<number> =>
  (v) => {
    const t = v.trim();
    let n = plainInteger(t);
    if (n === -1) {
      const normal = /^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(t)
        ? t.replace(/\./g, '').replace(',', '.')
        : t.replace(',', '.');
      n = Number(normal);
      if (t === '' || !Number.isFinite(n)) return new Invalid(`número inválido "${v}"`);
    }
    if (n < min || n > max) return new Invalid(`fuera de rango [${min}, ${max}]: ${n}`);
    return n;
  };
export const integer = (min: number, max: number): FieldParser<number> =>
  refine(decimal(min, max), (n) => Number.isInteger(n), 'se espera un entero');

const YES = new Set(['1', 'S', 'SI', 'SÍ', 'TRUE', 'X']);
const NO = new Set(['0', 'N', 'NO', 'FALSE', '']);

export const flag: FieldParser<boolean> = (v) => {
  if (v === 'S' || v === '1') return true;
  if (v === 'N' || v === '0' || v === '') return false;
  const t = v.trim().toUpperCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return new Invalid(`valor sí/no inválido "${v}"`);
};

const URBAN = new Set(['U', 'URBANA', 'URBANO', '1']);
const RURAL = new Set(['R', 'RURAL', '2']);

/**
 * The household's zone as the registry records it (U/R, URBANA/RURAL or INE's 1/2): `true` for
 * rural, `false` for urban, `undefined` when blank or unrecognised. The zone serves the bias audit
 * only, so a value it cannot read never rejects the row (that would take the child off the
 * roster); the contract counts it as missing in the quality index instead.
 */
export const ruralZone: FieldParser<boolean | undefined> = (v) => {
  if (v === 'URBANA' || v === 'U') return false;
  if (v === 'RURAL' || v === 'R') return true;
  const t = v.trim().toUpperCase();
  if (URBAN.has(t)) return false;
  if (RURAL.has(t)) return true;
  return undefined;
};

/** Five digits as they are, or what `normaliseCut` makes of the value. */
function cutOf(v: string): string | undefined {
  if (v.length === 5) {
    let digits = true;
    for (let i = 0; i < 5 && digits; i++) {
      const c = v.charCodeAt(i);
      digits = c >= 48 && c <= 57;
    }
    if (digits) return v;
  }
  return normaliseCut(v);
}

export const comunaCut: FieldParser<string> = (v) => {
  const cut = cutOf(v);
  if (!cut) return new Invalid(`código CUT inválido "${v}"`);
  if (!isKnownComuna(cut)) return new Invalid(`código CUT ${cut} no está en la lista oficial de comunas`);
  return cut;
};

/** A CUT code of any comuna of the country, or none (an empty field). */
export const anyComunaCut: FieldParser<string | undefined> = (v) => {
  if (v.trim() === '') return undefined;
  return comunaCut(v);
};

export const sex: FieldParser<'F' | 'M'> = (v) => {
  if (v === 'F' || v === 'M') return v;
  const t = v.trim().toUpperCase();
  if (t === 'F' || t === '2' || t === 'MUJER') return 'F';
  if (t === 'M' || t === '1' || t === 'HOMBRE') return 'M';
  return new Invalid(`sexo inválido "${v}" (F/M)`);
};

export const month: FieldParser<string> = (v) => {
  const t = v.trim();
  let m = /^(\d{4})-?(\d{2})$/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}-${m[2]}`;
  m = /^(\d{1,2})[-/](\d{4})$/.exec(t);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) return `${m[2]}-${m[1]?.padStart(2, '0')}`;
  return new Invalid(`mes inválido "${v}" (se espera aaaa-mm o mm-aaaa)`);
};

/** One of the given codes, compared without case or accents. */
export const code = <const T extends readonly [string, ...string[]]>(
  codes: T,
  label: string,
): FieldParser<T[number]> => {
  // A value spelled exactly as a code (upper case, no spaces, accents or hyphens) is that code.
  const exact = new Set<string>(codes.filter((c) => /^[A-Z0-9_]+$/.test(c)));
  return (v) => {
    if (exact.has(v)) return v as T[number];
    const t = v
      .trim()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toUpperCase()
      .replace(/[\s-]+/g, '_');
    const found = codes.find((c) => c === t);
    if (!found) return new Invalid(`${label} inválido "${v}" (se espera ${codes.join(', ')})`);
    return found as T[number];
  };
};

// --- rows -------------------------------------------------------------------------------------------

/** A contract's columns and how each is read. */
export type RowShape = Readonly<Record<string, FieldParser<unknown>>>;

/** The values a schema reads from a row. */
export type RowValues<S extends RowShape> = {
  readonly [K in keyof S]: Exclude<ReturnType<S[K]>, Invalid>;
};

/** A row's error: the column that failed first, or the cross-field check it fails, and why. */
export class RowRejection implements RowError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {}
}

/** A file's canonical column per position (null where its column is not in the contract). */
export type ColumnPositions = readonly (string | null)[];

/** Reads one column of a row given as the array of its fields; a column absent from the file reads ''. */
type ColumnReader = (fields: readonly string[]) => string;

function columnReader(columns: ColumnPositions, column: string): ColumnReader {
  const at = columns.indexOf(column);
  return at === -1 ? () => '' : (fields) => fields[at] ?? '';
}

/** The declared columns of a contract, each with its parser, in the order they are checked. */
export function rowSchema<S extends RowShape>(shape: S): S {
  return shape;
}

/**
 * Binds a schema to a file's column positions: the row parser returns the values, or the first
 * column (in declared order) that fails with its reason.
 */
function rowParser<S extends RowShape>(
  shape: S,
  columns: ColumnPositions,
): (fields: readonly string[]) => RowValues<S> | RowRejection {
  const names = Object.keys(shape);
  const parsers = names.map((name) => shape[name] as FieldParser<unknown>);
  const positions = names.map((name) => columns.indexOf(name));
  const count = names.length;
  return (fields) => {
    const values: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const at = positions[i] as number;
      const raw = at === -1 ? '' : (fields[at] ?? '');
      const value = (parsers[i] as FieldParser<unknown>)(raw);
      if (value instanceof Invalid) return new RowRejection(names[i] as string, value.reason);
      values[names[i] as string] = value;
    }
    return values as RowValues<S>;
  };
}

/** A RUN from a RUN column and an optional separate check-digit column. */
function runReader(
  columns: ColumnPositions,
  runCol: string,
  dvCol: string,
): (fields: readonly string[]) => Run | RowRejection {
  const run = columnReader(columns, runCol);
  const dv = columnReader(columns, dvCol);
  return (fields) => {
    const parsed = parseRun(run(fields), dv(fields) || undefined);
    return parsed.ok ? parsed.run : new RowRejection(runCol, parsed.reason);
  };
}

/** Reads a RUN that may be absent: undefined when empty, an error when present but invalid. */
type OptionalRunReader = (fields: readonly string[]) => Run | undefined | RowRejection;

function optionalRunReader(columns: ColumnPositions, runCol: string, dvCol?: string): OptionalRunReader {
  const value = columnReader(columns, runCol);
  const read = runReader(columns, runCol, dvCol ?? '');
  return (fields) => (value(fields).trim() === '' ? undefined : read(fields));
}

/** Relatives' RUN columns (mother, father, …), each with its check-digit column or null for none. */
export type RelativeColumns<K extends string> = Readonly<Record<K, string | null>>;

/** A row's relatives' RUNs by RUN column: undefined where the column is empty. */
export type RelativeRuns<K extends string> = Readonly<Record<K, Run | undefined>>;

/**
 * Makes a contract's row from what the checks before it read (the subject's RUN, the relatives'
 * RUNs, the schema's values and the row's raw fields), or rejects it for a cross-field problem.
 * `R` is the contract's, not inferred from the row built, so the row is checked against it.
 */
export type RowBuilder<S extends RowShape, K extends string, R> = (
  run: Run,
  values: RowValues<S>,
  relatives: RelativeRuns<K>,
  fields: readonly string[],
) => ValidatedRow<NoInfer<R>> | RowRejection;

// Shared, so that the rows of a contract without relatives allocate nothing for them.
const NO_RELATIVES: RelativeRuns<string> = Object.freeze({});

/**
 * A contract's row validator, bound to a file's column positions. A row is checked in this
 * order, and the first problem found is its error: the subject's RUN (columns RUN and DV), each
 * relative's RUN in the order `relatives` declares them (an empty one is absent), the schema's
 * columns in declared order, then `build`'s cross-field checks.
 *
 * Every contract shares this order, and the quarantine's reasons depend on it, so it is kept in
 * one place: a contract states only its schema, its relatives and how to build its row.
 */
export function subjectValidator<S extends RowShape, R>(
  shape: S,
  columns: ColumnPositions,
  build: RowBuilder<S, never, R>,
): RowValidator<R>;
export function subjectValidator<S extends RowShape, K extends string, R>(
  shape: S,
  columns: ColumnPositions,
  relatives: RelativeColumns<K>,
  build: RowBuilder<S, K, R>,
): RowValidator<R>;
export function subjectValidator<S extends RowShape, R>(
  shape: S,
  columns: ColumnPositions,
  ...rest: [RowBuilder<S, string, R>] | [RelativeColumns<string>, RowBuilder<S, string, R>]
): RowValidator<R> {
  const [relatives, build]: [RelativeColumns<string>, RowBuilder<S, string, R>] =
    rest.length === 1 ? [{}, rest[0]] : rest;
  const runOf = runReader(columns, 'RUN', 'DV');
  const relativeNames = Object.keys(relatives);
  const relativeOf = relativeNames.map((name) =>
    optionalRunReader(columns, name, relatives[name] ?? undefined),
  );
  const relativeCount = relativeNames.length;
  const parse = rowParser(shape, columns);
  return (fields) => {
    const run = runOf(fields);
    if (run instanceof RowRejection) return { ok: false, error: run };
    let found = NO_RELATIVES;
    if (relativeCount > 0) {
      const read: Record<string, Run | undefined> = {};
      for (let i = 0; i < relativeCount; i++) {
        const relative = (relativeOf[i] as OptionalRunReader)(fields);
        if (relative instanceof RowRejection) return { ok: false, error: relative };
        read[relativeNames[i] as string] = relative;
      }
      found = read;
    }
    const values = parse(fields);
    if (values instanceof RowRejection) return { ok: false, error: values };
    const row = build(run, values, found, fields);
    return row instanceof RowRejection ? { ok: false, error: row } : { ok: true, row };
  };
}

/** `<label> <code>` when `value` is shaped like an institution code; undefined for anything else. */
export function institutionFromCode(label: string, value: string | undefined): string | undefined {
  const code = value?.trim() ?? '';
  return INSTITUTION_CODE.test(code) ? `${label} ${code}` : undefined;
}

/** A timeliness item of the ICI: the event registered within three business days. */
export function registeredWithinThreeDays<R>(
  item: string,
  label: string,
  event: (fields: R) => string | undefined,
  registered: (fields: R) => string | undefined,
): TimelinessItem<R> {
  return { item, label, businessDays: 3, event, registered };
}

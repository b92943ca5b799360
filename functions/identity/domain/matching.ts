/**
 * Finding a child by what a person said of them when the RUN is unknown: names and a birth date
 * (or an approximate age) within a comuna.
 *
 * Names are compared by a Spanish sound key (`nameKey`), so that the usual spelling variants of one
 * name meet: accents and ñ, b/v, s/z/c before e or i, g/j before e or i, ll/y, a silent h, doubled
 * letters. The identity store indexes each record by its comuna and the sound key of its paternal
 * surname (`matchBlock`), with the birth date as the range, so a lookup reads the few children of
 * one surname in one comuna, not the comuna.
 *
 * A match is certain only when exactly one child agrees on the first given name, both surnames and
 * the birth date; anything less (an approximate age, a missing maternal surname, a second given name
 * that differs, two children who agree) gives candidates for a person at the OLN to confirm.
 */
import type { IsoDate } from '../../shared/domain/dates';
import { ageInYears } from '../../shared/domain/dates';

/** What a report said of a child whose RUN it did not know. */
export interface ReportedChild {
  readonly comuna: string;
  readonly givenNames: string;
  readonly paternalSurname: string;
  readonly maternalSurname?: string;
  readonly birthDate?: IsoDate;
  /** Years, when the reporter did not know the birth date. */
  readonly approximateAge?: number;
  /** The day the report speaks of, for an approximate age. */
  readonly asOf: IsoDate;
}

/** What a report or a record says of a child, as far as matching goes. */
export interface ChildNames {
  readonly givenNames?: string;
  readonly paternalSurname?: string;
  readonly maternalSurname?: string;
  readonly birthDate?: IsoDate;
  readonly approximateAge?: number;
}

/**
 * The report to match from what was said of a child in `comuna`, on `asOf`; undefined when it
 * says too little to look for the child (given names, paternal surname, and a birth date or an age).
 */
export function reportedChild(said: ChildNames, comuna: string, asOf: IsoDate): ReportedChild | undefined {
  const { givenNames, paternalSurname, maternalSurname, birthDate, approximateAge } = said;
  if (givenNames === undefined || paternalSurname === undefined) return undefined;
  if (birthDate === undefined && approximateAge === undefined) return undefined;
  return {
    comuna,
    givenNames,
    paternalSurname,
    ...(maternalSurname !== undefined ? { maternalSurname } : {}),
    ...(birthDate !== undefined ? { birthDate } : {}),
    ...(approximateAge !== undefined ? { approximateAge } : {}),
    asOf,
  };
}

/** A record of the identity store, as the match index gives it back. */
export interface MatchRecord {
  readonly childId: string;
  readonly givenNames?: string;
  readonly paternalSurname?: string;
  readonly maternalSurname?: string;
  readonly birthDate?: IsoDate;
  /** True for a child known only from an alert without RUN. */
  readonly provisional: boolean;
}

/** How one field of a candidate compares with the report. */
export type FieldAgreement = 'igual' | 'compatible' | 'distinto' | 'sin_dato';

export interface MatchCandidate {
  readonly childId: string;
  readonly provisional: boolean;
  /** Higher is closer: 2 per field that agrees, 1 per compatible field, less for one that differs. */
  readonly score: number;
  readonly agreement: {
    readonly givenNames: FieldAgreement;
    readonly maternalSurname: FieldAgreement;
    readonly birthDate: FieldAgreement;
  };
}

export type MatchDecision =
  | { readonly kind: 'certain'; readonly candidate: MatchCandidate }
  | { readonly kind: 'uncertain'; readonly candidates: readonly MatchCandidate[] }
  | { readonly kind: 'none' };

/** Candidates kept for a person to look at. */
export const MAX_CANDIDATES = 5;

/** The range of birth dates a lookup reads: one day, or every day an approximate age allows. */
export interface BirthDateRange {
  readonly from: IsoDate;
  readonly to: IsoDate;
}

/**
 * The sound key of a name: lower case without accents, letters only, each word keyed by the rules
 * in the module header, words joined by one space. Empty for a name with no letters.
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map(wordKey)
    .join(' ');
}

function wordKey(word: string): string {
  const keyed = word
    .replace(/ch/g, 'x')
    .replace(/h/g, '')
    .replace(/ll/g, 'y')
    .replace(/qu/g, 'k')
    .replace(/c(?=[ei])/g, 's')
    .replace(/c/g, 'k')
    .replace(/g(?=[ei])/g, 'j')
    .replace(/gu(?=[ei])/g, 'g')
    .replace(/z/g, 's')
    .replace(/v/g, 'b')
    .replace(/w/g, 'gu')
    .replace(/y$/, 'i')
    .replace(/(.)\1+/g, '$1');
  return keyed;
}

/**
 * The index key of a record or a report: the comuna and the sound key of the paternal surname's
 * first word (so that "De la Fuente" and "de La Fuente" meet, and a compound surname written with
 * one word meets its full form). Undefined without a surname.
 */
export function matchBlockOf(comuna: string, paternalSurname: string | undefined): string | undefined {
  if (paternalSurname === undefined) return undefined;
  const words = nameKey(paternalSurname)
    .split(' ')
    .filter((w) => !PARTICLES.has(w));
  const first = words[0];
  return first ? `${comuna}#${first}` : undefined;
}

/** Words of compound surnames that do not tell one surname from another. */
const PARTICLES = new Set(['de', 'del', 'la', 'las', 'los', 'i', 'e']);

/** Birth dates a child of `approximateAge` years on `asOf` may have, with a year's slack each way. */
export function birthDateRange(
  child: Pick<ReportedChild, 'birthDate' | 'approximateAge' | 'asOf'>,
): BirthDateRange {
  if (child.birthDate !== undefined) return { from: child.birthDate, to: child.birthDate };
  const age = child.approximateAge ?? 0;
  const year = Number(child.asOf.slice(0, 4));
  const monthDay = child.asOf.slice(4);
  // Aged `age` on asOf means born in (asOf - age - 1 years, asOf - age years]; one year of slack
  // on each side for a guess.
  return {
    from: `${String(year - age - 2).padStart(4, '0')}${monthDay}`,
    to: `${String(year - age + 1).padStart(4, '0')}${monthDay}`,
  };
}

/** Compares each record with the report and decides; records of one child count once (its best). */
export function decideMatch(report: ReportedChild, records: readonly MatchRecord[]): MatchDecision {
  const best = new Map<string, MatchCandidate>();
  // A child is provisional only if none of its records has a RUN (an alert's record of a known
  // child has none either).
  const known = new Set(records.filter((r) => !r.provisional).map((r) => r.childId));
  const reportedSurname = nameKey(report.paternalSurname);
  for (const record of records) {
    // The index groups by the surname's first word; the whole surname must still agree.
    if (
      record.paternalSurname === undefined ||
      !surnamesAgree(reportedSurname, nameKey(record.paternalSurname))
    )
      continue;
    const candidate = compare(report, { ...record, provisional: !known.has(record.childId) });
    const held = best.get(record.childId);
    if (!held || candidate.score > held.score) best.set(record.childId, candidate);
  }
  const candidates = [...best.values()]
    .filter((c) => c.score >= 2 && c.agreement.givenNames !== 'distinto')
    .sort((a, b) => b.score - a.score || (a.childId < b.childId ? -1 : 1));
  if (candidates.length === 0) return { kind: 'none' };
  const certain = candidates.filter(isCertain);
  // A child the data knows is preferred to a provisional one that agrees as well: the provisional
  // one is the same child, reported before, and is merged into it separately.
  const registered = certain.filter((c) => !c.provisional);
  const pool = registered.length > 0 ? registered : certain;
  if (pool.length === 1 && pool[0]) return { kind: 'certain', candidate: pool[0] };
  return { kind: 'uncertain', candidates: candidates.slice(0, MAX_CANDIDATES) };
}

function isCertain(c: MatchCandidate): boolean {
  return (
    c.agreement.givenNames === 'igual' &&
    c.agreement.maternalSurname === 'igual' &&
    c.agreement.birthDate === 'igual'
  );
}

/** Two sound keys of a paternal surname agree when one is the other or starts it (a compound surname cut short). */
function surnamesAgree(a: string, b: string): boolean {
  return a === b || `${b} `.startsWith(`${a} `) || `${a} `.startsWith(`${b} `);
}

function compare(report: ReportedChild, record: MatchRecord): MatchCandidate {
  const givenNames = givenNamesAgreement(report.givenNames, record.givenNames);
  const maternalSurname =
    report.maternalSurname === undefined || record.maternalSurname === undefined
      ? 'sin_dato'
      : nameKey(report.maternalSurname) === nameKey(record.maternalSurname)
        ? 'igual'
        : 'distinto';
  const birthDate = birthAgreement(report, record.birthDate);
  const points: Record<FieldAgreement, number> = { igual: 2, compatible: 1, sin_dato: 0, distinto: -3 };
  const score = points[givenNames] + points[maternalSurname] + points[birthDate];
  return {
    childId: record.childId,
    provisional: record.provisional,
    score,
    agreement: { givenNames, maternalSurname, birthDate },
  };
}

/**
 * `igual` when the words given are the record's, in order (the reporter may give only the first);
 * `compatible` when every word given is among the record's, or the first words agree; else `distinto`.
 */
function givenNamesAgreement(reported: string, recorded: string | undefined): FieldAgreement {
  if (recorded === undefined) return 'sin_dato';
  const a = nameKey(reported).split(' ').filter(Boolean);
  const b = nameKey(recorded).split(' ').filter(Boolean);
  if (a.length === 0 || b.length === 0) return 'sin_dato';
  if (a.every((w, i) => b[i] === w)) return 'igual';
  if (a.every((w) => b.includes(w)) || a[0] === b[0]) return 'compatible';
  return 'distinto';
}

function birthAgreement(report: ReportedChild, recorded: IsoDate | undefined): FieldAgreement {
  if (recorded === undefined) return 'sin_dato';
  if (report.birthDate !== undefined) return report.birthDate === recorded ? 'igual' : 'distinto';
  if (report.approximateAge === undefined) return 'sin_dato';
  const age = ageInYears(recorded, report.asOf);
  return Math.abs(age - report.approximateAge) <= 1 ? 'compatible' : 'distinto';
}

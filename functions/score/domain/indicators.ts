/**
 * Indicators per child as of a knowledge date, from the curated records of each source. Only data
 * dated on or before the knowledge date is used, and every event indicator looks back over a fixed
 * window, so a past problem stops counting once the window has passed.
 */

import type {
  CivilRecord,
  CustodyRecord,
  EducationRecord,
  HealthRecord,
  PoliceRecord,
  ProtectionRecord,
  RshRecord,
} from '../../shared/domain/curated-records';
import type { IsoDate } from '../../shared/domain/dates';
import { addMonths, ageInYears } from '../../shared/domain/dates';
import type { CuratedRecords } from './curated-records';
import {
  EARLY_CHILDHOOD_AGE,
  FEATURE_COUNT,
  FEATURES,
  HOUSEHOLD_SURVEY_WINDOW_MONTHS,
  surveyWeight,
} from './features';

/** Everything known about one child: its registry record and its rows in the other sources. */
export interface ChildSources {
  readonly rsh: RshRecord;
  readonly education: readonly EducationRecord[];
  readonly health?: readonly HealthRecord[];
  readonly police?: readonly PoliceRecord[];
  readonly protection?: readonly ProtectionRecord[];
  readonly civil?: CivilRecord;
  /** Prison stays of the child's mother or father, found through the civil registry's filiation. */
  readonly parentsCustody?: readonly CustodyRecord[];
}

export const SCHOOL_AGE = { from: 6, to: 17 } as const;
const ATTENDANCE_WINDOW_MONTHS = 3;
const EVENT_WINDOW_MONTHS = 12;
const CRITICAL_ATTENDANCE = 85;
const CRITICAL_CROWDING = 2.5;
const YEAR_DAYS = 365;
const HISTORY_DAYS = 3 * YEAR_DAYS;
const CHECKUP_AGE = { from: 1, to: 5 } as const;
const DAY_MS = 86_400_000;

const epochDay = (iso: IsoDate): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

/** Months `yyyy-mm` in the window ending at the knowledge date's month, newest first. */
function monthsBack(asOf: IsoDate, count: number): string[] {
  const months: string[] = [];
  for (let i = 0; i < count; i++) months.push(addMonths(asOf, -i).slice(0, 7));
  return months;
}

/** Indices of the household features of the registry survey, with their typical values. */
const SURVEY_FEATURES: readonly (readonly [number, number])[] = FEATURES.flatMap((f, i) =>
  f.typical === undefined ? [] : [[i, f.typical] as const],
);

/**
 * Fills `out` (length FEATURE_COUNT, in catalogue order) with the child's indicators as of `asOf`.
 * The household features of a registry survey older than HOUSEHOLD_SURVEY_WINDOW_MONTHS are moved
 * towards their typical value by the survey's weight (`surveyWeight`), so an old survey counts less
 * the older it is, and `ficha_rsh_antigua` marks the child. Returns false when the child is not 0–17 on that date, its registry record postdates it (which
 * `childrenAsOf` never passes), or the civil registry records its death on or before it.
 */
export function computeIndicators(child: ChildSources, asOf: IsoDate, out: Float32Array): boolean {
  if (out.length !== FEATURE_COUNT) throw new Error(`indicator buffer must have ${FEATURE_COUNT} slots`);
  const r = child.rsh;
  if (r.surveyDate > asOf || r.birthDate > asOf) return false;
  if (child.civil?.deathDate !== undefined && child.civil.deathDate <= asOf) return false;
  const age = ageInYears(r.birthDate, asOf);
  if (age < 0 || age > 17) return false;

  const attendanceMonths = new Set(monthsBack(asOf, ATTENDANCE_WINDOW_MONTHS));
  const eventMonths = new Set(monthsBack(asOf, EVENT_WINDOW_MONTHS));
  let attendanceSum = 0;
  let attendanceCount = 0;
  let repeating = false;
  let withdrawn = false;
  for (const e of child.education) {
    if (attendanceMonths.has(e.month)) {
      attendanceSum += e.attendancePct;
      attendanceCount++;
    }
    if (eventMonths.has(e.month)) {
      repeating ||= e.repeating;
      withdrawn ||= e.withdrawn;
    }
  }
  const schoolAge = age >= SCHOOL_AGE.from && age <= SCHOOL_AGE.to;
  const attendance = attendanceCount > 0 ? attendanceSum / attendanceCount : undefined;
  const crowding = r.householdSize / Math.max(1, r.bedrooms);
  const surveyMonths = surveyAgeMonths(r, asOf);

  out[0] = age;
  out[1] = age >= 13 ? 1 : 0;
  out[2] = r.rshBracket <= 40 ? 1 : 0;
  out[3] = r.rshBracket / 10;
  out[4] = crowding;
  out[5] = crowding >= CRITICAL_CROWDING ? 1 : 0;
  out[6] = Math.log1p(r.incomePerCapita);
  out[7] = r.headSchoolingYears;
  out[8] = r.singleParent ? 1 : 0;
  out[9] = r.disabilityInHousehold ? 1 : 0;
  out[10] = attendance === undefined ? 0 : (100 - attendance) / 100;
  out[11] = attendance !== undefined && attendance < CRITICAL_ATTENDANCE ? 1 : 0;
  out[12] = schoolAge && attendance === undefined ? 1 : 0;
  out[13] = repeating ? 1 : 0;
  out[14] = withdrawn ? 1 : 0;
  out[15] = surveyMonths > HOUSEHOLD_SURVEY_WINDOW_MONTHS ? 1 : 0;
  out[27] = r.rshBracket === 50 ? 1 : 0;
  out[29] = out[8] * out[5];

  // Events: days before the knowledge date; anything dated after it is ignored.
  const today = epochDay(asOf);
  const ago = (date: IsoDate): number => (date <= asOf ? today - epochDay(date) : -1);
  const inWindow = (date: IsoDate, from: number, to: number): boolean => {
    const d = ago(date);
    return d >= from && d <= to;
  };
  let victim12 = false;
  let victimOlder = false;
  let offender12 = false;
  for (const e of child.police ?? []) {
    if (e.role === 'VICTIMA') {
      victim12 ||= inWindow(e.eventDate, 0, YEAR_DAYS);
      victimOlder ||= inWindow(e.eventDate, YEAR_DAYS + 1, HISTORY_DAYS);
    } else offender12 ||= inWindow(e.eventDate, 0, YEAR_DAYS);
  }
  let mental12 = false;
  let drugs12 = false;
  let pregnancy12 = false;
  let checkup12 = false;
  for (const e of child.health ?? []) {
    if (!inWindow(e.attentionDate, 0, YEAR_DAYS)) continue;
    if (e.attention === 'SALUD_MENTAL') mental12 = true;
    else if (e.attention === 'TRATAMIENTO_DROGAS') drugs12 = true;
    else if (e.attention === 'CONTROL_EMBARAZO') pregnancy12 = true;
    else if (e.attention === 'CONTROL_SANO') checkup12 = true;
  }
  let custodyNow = false;
  let releasedRecently = false;
  for (const c of child.parentsCustody ?? []) {
    if (c.admissionDate > asOf) continue;
    if (c.releaseDate === undefined || c.releaseDate > asOf) custodyNow = true;
    else releasedRecently ||= inWindow(c.releaseDate, 0, 2 * YEAR_DAYS);
  }
  let protectionRecent = false;
  let protectionOlder = false;
  for (const p of child.protection ?? []) {
    if (p.entryDate > asOf) continue;
    if (p.exitDate === undefined || p.exitDate > asOf || inWindow(p.exitDate, 0, YEAR_DAYS)) {
      protectionRecent = true;
    } else protectionOlder ||= inWindow(p.exitDate, YEAR_DAYS + 1, HISTORY_DAYS);
  }
  out[16] = victim12 ? 1 : 0;
  out[17] = victimOlder ? 1 : 0;
  out[18] = offender12 ? 1 : 0;
  out[19] = mental12 ? 1 : 0;
  out[20] = drugs12 ? 1 : 0;
  out[21] = pregnancy12 ? 1 : 0;
  out[22] = age >= CHECKUP_AGE.from && age <= CHECKUP_AGE.to && !checkup12 ? 1 : 0;
  out[23] = custodyNow ? 1 : 0;
  out[24] = releasedRecently ? 1 : 0;
  out[25] = protectionRecent ? 1 : 0;
  out[26] = protectionOlder ? 1 : 0;
  out[28] = out[11] * out[1];
  out[31] = out[23] * (age < EARLY_CHILDHOOD_AGE ? 1 : 0);
  const weight = surveyWeight(surveyMonths);
  if (weight < 1) {
    for (const [i, typical] of SURVEY_FEATURES) out[i] = typical + ((out[i] as number) - typical) * weight;
  }
  // After the decay: the victim contact itself is the child's own record; only the household's part fades.
  out[30] = out[16] * (out[8] as number);
  return true;
}

function monthsBetween(from: IsoDate, to: IsoDate): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}

/** Children of the registry left out of a cut's indicators, by reason, so none vanishes silently. */
export interface Excluded {
  /** Every registry survey of the child is dated after the cut's knowledge date. */
  readonly surveyAfterCut: number;
}

/** The children a cut can be scored on, and how many the registry has that it cannot. */
export interface ChildrenAsOf {
  readonly children: Map<string, ChildSources>;
  readonly excluded: Excluded;
}

/**
 * Joins a comuna's curated records by child as known at `asOf`: each child's latest registry survey
 * dated on or before it (a household surveyed again after the cut keeps the survey known at the
 * cut), with its own rows of every other source. A child whose every survey postdates `asOf` has no
 * household known at the cut: it is left out and counted in `excluded.surveyAfterCut`.
 */
export function childrenAsOf(records: CuratedRecords, asOf: IsoDate): ChildrenAsOf {
  const known: CuratedRecords = { ...records, rsh: records.rsh.filter((r) => r.surveyDate <= asOf) };
  const children = groupByChild(known);
  const later = new Set<string>();
  for (const r of records.rsh) if (!children.has(r.childId)) later.add(r.childId);
  return { children, excluded: { surveyAfterCut: later.size } };
}

/** Months from the registry survey's month to the knowledge date's month. */
export function surveyAgeMonths(rsh: RshRecord, asOf: IsoDate): number {
  return monthsBetween(rsh.surveyDate, asOf);
}

/**
 * Joins a comuna's curated records by child: the latest registry record of each child in the
 * registry, whatever its date, with its own rows of every other source, and its parents' prison
 * stays through the civil registry's filiation. Scoring goes through `childrenAsOf`, which first
 * keeps only the surveys known at the cut.
 */
export function groupByChild(records: CuratedRecords): Map<string, ChildSources> {
  const latest = new Map<string, RshRecord>();
  for (const r of records.rsh) {
    const prev = latest.get(r.childId);
    if (!prev || prev.surveyDate < r.surveyDate) latest.set(r.childId, r);
  }
  const byChild = <T extends { readonly childId: string }>(rows: readonly T[]): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    for (const row of rows) {
      if (!latest.has(row.childId)) continue;
      const list = out.get(row.childId);
      if (list) list.push(row);
      else out.set(row.childId, [row]);
    }
    return out;
  };
  const education = byChild(records.educacion);
  const health = byChild(records.salud);
  const police = byChild(records.policia);
  const protection = byChild(records.proteccion);
  const civil = new Map<string, CivilRecord>();
  for (const c of records.registro_civil) if (latest.has(c.childId)) civil.set(c.childId, c);
  const custody = new Map<string, CustodyRecord[]>();
  for (const c of records.privacion_libertad) {
    const list = custody.get(c.childId);
    if (list) list.push(c);
    else custody.set(c.childId, [c]);
  }
  const out = new Map<string, ChildSources>();
  for (const [id, r] of latest) {
    const filiation = civil.get(id);
    const parentsCustody = [filiation?.motherId, filiation?.fatherId].flatMap((parent) =>
      parent ? (custody.get(parent) ?? []) : [],
    );
    out.set(id, {
      rsh: r,
      education: education.get(id) ?? [],
      health: health.get(id) ?? [],
      police: police.get(id) ?? [],
      protection: protection.get(id) ?? [],
      ...(filiation ? { civil: filiation } : {}),
      parentsCustody,
    });
  }
  return out;
}

/**
 * Indicators per child as of a knowledge date, from the curated records of each source. Only data
 * dated on or before the knowledge date is used, and every event indicator looks back over a fixed
 * window, so a past problem stops counting once the window has passed.
 */

import type { EducationFields, RshFields } from '../../ingest/domain/contracts';
import type { IsoDate } from '../../shared/domain/dates';
import { addMonths, ageInYears } from '../../shared/domain/dates';
import { FEATURE_COUNT } from './features';

/** Curated social-registry record: the contract's fields with the folio pseudonymised. */
export type RshRecord = Omit<RshFields, 'householdFolio' | 'hasMaternalSurname' | 'hasAddress'> & {
  readonly childId: string;
  readonly comuna: string;
  readonly householdId: string;
};

/** Curated education record: the fields indicators use. */
export type EducationRecord = Pick<EducationFields, 'month' | 'attendancePct' | 'repeating' | 'withdrawn'> & {
  readonly childId: string;
};

export interface ChildSources {
  readonly rsh: RshRecord;
  readonly education: readonly EducationRecord[];
}

export const SCHOOL_AGE = { from: 6, to: 17 } as const;
const ATTENDANCE_WINDOW_MONTHS = 3;
const EVENT_WINDOW_MONTHS = 12;
const CRITICAL_ATTENDANCE = 85;
const CRITICAL_CROWDING = 2.5;
const STALE_SURVEY_MONTHS = 24;

/** Months `yyyy-mm` in the window ending at the knowledge date's month, newest first. */
function monthsBack(asOf: IsoDate, count: number): string[] {
  const months: string[] = [];
  for (let i = 0; i < count; i++) months.push(addMonths(asOf, -i).slice(0, 7));
  return months;
}

/**
 * Fills `out` (length FEATURE_COUNT, in catalogue order) with the child's indicators as of `asOf`.
 * Returns false when the child is not 0–17 on that date or its registry record postdates it.
 */
export function computeIndicators(child: ChildSources, asOf: IsoDate, out: Float32Array): boolean {
  if (out.length !== FEATURE_COUNT) throw new Error(`indicator buffer must have ${FEATURE_COUNT} slots`);
  const r = child.rsh;
  if (r.surveyDate > asOf || r.birthDate > asOf) return false;
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
  const surveyAgeMonths = monthsBetween(r.surveyDate, asOf);

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
  out[15] = surveyAgeMonths > STALE_SURVEY_MONTHS ? 1 : 0;
  return true;
}

function monthsBetween(from: IsoDate, to: IsoDate): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}

/** Joins curated records by child: one registry record (the latest survey) and its education rows. */
export function groupByChild(
  rsh: readonly RshRecord[],
  education: readonly EducationRecord[],
): Map<string, ChildSources> {
  const latest = new Map<string, RshRecord>();
  for (const r of rsh) {
    const prev = latest.get(r.childId);
    if (!prev || prev.surveyDate < r.surveyDate) latest.set(r.childId, r);
  }
  const edu = new Map<string, EducationRecord[]>();
  for (const e of education) {
    if (!latest.has(e.childId)) continue;
    const list = edu.get(e.childId) ?? [];
    list.push(e);
    edu.set(e.childId, list);
  }
  const out = new Map<string, ChildSources>();
  for (const [id, r] of latest) out.set(id, { rsh: r, education: edu.get(id) ?? [] });
  return out;
}

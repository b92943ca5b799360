/**
 * Business days in Chile: Monday to Friday, except public holidays, taken from the maintained
 * `date-holidays` calendar (which follows the laws that move or add holidays).
 */
import Holidays from 'date-holidays';
import type { IsoDate } from './dates';

const calendar = new Holidays('CL');
const byYear = new Map<number, ReadonlySet<string>>();

function holidaysOf(year: number): ReadonlySet<string> {
  let set = byYear.get(year);
  if (!set) {
    set = new Set(
      calendar
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    byYear.set(year, set);
  }
  return set;
}

export function isBusinessDay(date: IsoDate): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (day === 0 || day === 6) return false;
  return !holidaysOf(Number(date.slice(0, 4))).has(date);
}

/** Business days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function businessDaysBetween(from: IsoDate, to: IsoDate): number {
  if (to <= from) return 0;
  let count = 0;
  const cursor = new Date(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  // Long gaps are counted in whole weeks first, then day by day; holidays on weekdays are removed.
  while (cursor.getTime() < end) {
    cursor.setUTCDate(cursor.getUTCDate() + 1);
    if (isBusinessDay(cursor.toISOString().slice(0, 10))) count++;
    if (count > 400) return count;
  }
  return count;
}

/**
 * Calendar dates as the institutions write them (dd-mm-yyyy, dd/mm/yyyy or ISO yyyy-mm-dd),
 * held as ISO `yyyy-mm-dd` strings so that they sort and compare as text.
 */

export type IsoDate = string;

/** Parses a date and checks that it exists in the calendar; undefined when it does not. */
export function parseDate(value: string): IsoDate | undefined {
  const text = value.trim();
  const length = text.length;
  // dd-mm-yyyy with one- or two-digit day and month, `-`, `/` or `.` between them.
  const d = digitsAt(text, 0);
  const dayDigits = d & 7;
  if (dayDigits >= 1 && dayDigits <= 2 && isDateSeparator(text.charCodeAt(dayDigits))) {
    const monthAt = dayDigits + 1;
    const m = digitsAt(text, monthAt);
    const monthDigits = m & 7;
    if (monthDigits >= 1 && monthDigits <= 2 && isDateSeparator(text.charCodeAt(monthAt + monthDigits))) {
      const yearAt = monthAt + monthDigits + 1;
      const y = digitsAt(text, yearAt);
      if ((y & 7) === 4 && yearAt + 4 === length) {
        return calendarDate(text.slice(yearAt, yearAt + 4), y >> 3, m >> 3, d >> 3);
      }
    }
  }
  // ISO yyyy-mm-dd.
  if (length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const y = digitsAt(text, 0);
  const m = digitsAt(text, 5);
  const day = digitsAt(text, 8);
  if ((y & 7) !== 4 || (m & 7) !== 2 || (day & 7) !== 2) return undefined;
  return calendarDate(text.slice(0, 4), y >> 3, m >> 3, day >> 3);
}

/**
 * The run of ASCII digits starting at `from`, packed as `value * 8 + length`; runs longer than
 * five digits report length 7 (too long for any part of a date).
 */
function digitsAt(text: string, from: number): number {
  let value = 0;
  let i = from;
  const end = Math.min(text.length, from + 6);
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  const length = i - from;
  return length > 5 ? 7 : value * 8 + length;
}

function isDateSeparator(c: number): boolean {
  return c === 45 || c === 47 || c === 46;
}

/**
 * The ISO date when it exists. As with `Date.UTC`, years 0–99 would be read as 1900–1999 and so
 * never match: they are refused; the year is written as its four digits.
 */
function calendarDate(yearText: string, y: number, m: number, d: number): IsoDate | undefined {
  if (y < 100 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return `${yearText}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function toIsoDate(date: Date): IsoDate {
  return date.toISOString().slice(0, 10);
}

/** The calendar date in continental Chile at `instant` (what "today" is for the people who use SAN). */
export function chileDate(instant: Date): IsoDate {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Santiago' }).format(instant);
}

/** Whole years between a birth date and a reference date. */
export function ageInYears(birth: IsoDate, asOf: IsoDate): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [ay, am, ad] = asOf.split('-').map(Number) as [number, number, number];
  let age = ay - by;
  if (am < bm || (am === bm && ad < bd)) age -= 1;
  return age;
}

/** Adds calendar months to an ISO date (clamping the day to the month's end). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return toIsoDate(target);
}

/** A cut (monthly extract) is named `yyyy-mm`; its knowledge date is the last day of that month. */
export function cutKnowledgeDate(cut: string): IsoDate | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(cut);
  if (!match) return undefined;
  const y = Number(match[1]);
  const m = Number(match[2]);
  if (m < 1 || m > 12) return undefined;
  return toIsoDate(new Date(Date.UTC(y, m, 0)));
}

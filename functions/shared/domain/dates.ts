/**
 * Calendar dates as the institutions write them (dd-mm-yyyy, dd/mm/yyyy or ISO yyyy-mm-dd),
 * held as ISO `yyyy-mm-dd` strings so that they sort and compare as text.
 */

export type IsoDate = string;

/** Parses a date and checks that it exists in the calendar; undefined when it does not. */
export function parseDate(value: string): IsoDate | undefined {
  const text = value.trim();
  let y: number;
  let m: number;
  let d: number;
  let match = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(text);
  if (match) {
    d = Number(match[1]);
    m = Number(match[2]);
    y = Number(match[3]);
  } else {
    match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return undefined;
    y = Number(match[1]);
    m = Number(match[2]);
    d = Number(match[3]);
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return toIsoDate(date);
}

export function toIsoDate(date: Date): IsoDate {
  return date.toISOString().slice(0, 10);
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

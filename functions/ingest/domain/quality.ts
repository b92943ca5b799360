/**
 * The data-quality index (modelled on SENAINFO's ICI), per registering institution and comuna:
 *
 * - completeness: of the items that apply to a row (the contract lists them, with the documented
 *   exclusions), the share present;
 * - timeliness: of the events with a date, the share registered within their limit in business
 *   days (Chilean holidays excluded); an event never registered counts as late;
 * - validity: the share of rows read that passed validation;
 * - uniqueness: the share of valid rows that were not duplicates.
 *
 * The index is the mean of the dimensions that apply, as a percentage; with no row read, none
 * applies and there is no index. A month's index is the cut's; the cumulative figure of a year is
 * the sum of its monthly indices divided by 11, as the ICI does, over the months available so far.
 */

import { businessDaysBetween } from '../../shared/domain/business-days';
import { normaliseCut } from '../../shared/domain/comunas';
import type { SourceContract } from './contracts/types';

export interface ItemCount {
  applicable: number;
  met: number;
}

export interface QualityCounts {
  rows: number;
  rejected: number;
  duplicates: number;
  /**
   * Completeness inconsistencies of earlier cuts counted again in this cut: still open because the
   * institution sent no rows in it, so it has not corrected them.
   */
  carried: number;
  completeness: Record<string, ItemCount>;
  timeliness: Record<string, ItemCount>;
}

/** Counts keyed by `institution|comuna`. */
export type QualityTally = Record<string, QualityCounts>;

export const UNKNOWN_INSTITUTION = '(institución no identificada)';

export function tallyKey(institution: string, comuna: string): string {
  return `${institution}|${comuna}`;
}

function countsOf(tally: QualityTally, key: string): QualityCounts {
  let counts = tally[key];
  if (!counts) {
    counts = { rows: 0, rejected: 0, duplicates: 0, carried: 0, completeness: {}, timeliness: {} };
    tally[key] = counts;
  }
  return counts;
}

function bump(record: Record<string, ItemCount>, item: string, met: boolean): void {
  const c = record[item] ?? { applicable: 0, met: 0 };
  c.applicable++;
  if (met) c.met++;
  record[item] = c;
}

/**
 * Records an accepted row's completeness and timeliness; returns its tally key and the
 * completeness items it lacks (inconsistencies that stay open until a corrected row arrives).
 */
export function tallyAccepted(
  tally: QualityTally,
  contract: SourceContract<unknown>,
  fields: unknown,
  comuna: string,
  asOf: string,
): { key: string; unmet: string[] } {
  const key = tallyKey(contract.quality.institution(fields), comuna);
  const counts = countsOf(tally, key);
  const unmet: string[] = [];
  counts.rows++;
  for (const item of contract.quality.completeness) {
    if (!item.applies(fields, asOf)) continue;
    const present = item.present(fields, asOf);
    bump(counts.completeness, item.item, present);
    if (!present) unmet.push(item.item);
  }
  for (const item of contract.quality.timeliness) {
    const event = item.event(fields);
    if (!event || event > asOf) continue;
    const registered = item.registered(fields);
    bump(
      counts.timeliness,
      item.item,
      registered !== undefined && businessDaysBetween(event, registered) <= item.businessDays,
    );
  }
  return { key, unmet };
}

/**
 * Counts an inconsistency of an earlier cut whose institution sent no rows in this cut: it has not
 * been corrected, so it stays open and its items count as applicable and unmet once more, under the
 * same institution (and comuna).
 */
export function tallyCarried(tally: QualityTally, key: string, items: readonly string[]): void {
  const counts = countsOf(tally, key);
  counts.carried++;
  for (const item of items) bump(counts.completeness, item, false);
}

/** Records a rejected row under the institution and comuna its raw values name, when they can be read. */
export function tallyRejected(
  tally: QualityTally,
  contract: SourceContract<unknown>,
  values: Readonly<Record<string, string>>,
): void {
  const institution = contract.quality.institutionOfRaw?.(values) ?? UNKNOWN_INSTITUTION;
  const comuna =
    normaliseCut(values.COMUNA ?? values.COMUNA_INSCRIPCION ?? values.COMUNA_RESIDENCIA ?? '') ?? '00000';
  const counts = countsOf(tally, tallyKey(institution, comuna));
  counts.rows++;
  counts.rejected++;
}

export function tallyDuplicates(tally: QualityTally, key: string, duplicates: number): void {
  countsOf(tally, key).duplicates += duplicates;
}

export function mergeTally(into: QualityTally, from: Readonly<QualityTally>): void {
  for (const [key, c] of Object.entries(from)) {
    const target = countsOf(into, key);
    target.rows += c.rows;
    target.rejected += c.rejected;
    target.duplicates += c.duplicates;
    target.carried += c.carried ?? 0;
    for (const [item, n] of Object.entries(c.completeness)) {
      const t = target.completeness[item] ?? { applicable: 0, met: 0 };
      target.completeness[item] = { applicable: t.applicable + n.applicable, met: t.met + n.met };
    }
    for (const [item, n] of Object.entries(c.timeliness)) {
      const t = target.timeliness[item] ?? { applicable: 0, met: 0 };
      target.timeliness[item] = { applicable: t.applicable + n.applicable, met: t.met + n.met };
    }
  }
}

export interface QualityScores {
  /** Percentages, one decimal; each absent where nothing of its dimension applied. */
  readonly completeness?: number;
  readonly timeliness?: number;
  /** Absent when no row was read. */
  readonly validity?: number;
  /** Absent when no valid row was read. */
  readonly uniqueness?: number;
  /** The mean of the dimensions that apply; null when no row was read, since nothing was measured. */
  readonly ici: number | null;
  /** Why there is no index, in Spanish, for whoever reads the report. */
  readonly note?: string;
}

const pct = (met: number, applicable: number): number => Math.round((1000 * met) / applicable) / 10;

function sumItems(items: Readonly<Record<string, ItemCount>>): ItemCount {
  let applicable = 0;
  let met = 0;
  for (const c of Object.values(items)) {
    applicable += c.applicable;
    met += c.met;
  }
  return { applicable, met };
}

/**
 * The index of an institution, or of a whole file, over the rows it sent in the cut. Validity
 * applies to the rows read, uniqueness to the valid ones, completeness and timeliness to their
 * items, carried inconsistencies included. Without a row there is no index: an institution absent
 * from the extract, or a header-only file, was not measured (its carried inconsistencies are still
 * counted, and still weigh on the file's index when other institutions sent rows).
 */
export function scoresOf(c: QualityCounts): QualityScores {
  if (c.rows === 0) {
    const carried =
      c.carried === 0
        ? ''
        : c.carried === 1
          ? '; sigue abierta 1 inconsistencia de cortes anteriores, aún sin corregir'
          : `; siguen abiertas ${c.carried} inconsistencias de cortes anteriores, aún sin corregir`;
    return {
      ici: null,
      note: `Sin filas en este extracto: no hay índice de calidad que calcular${carried}.`,
    };
  }
  const completeness = sumItems(c.completeness);
  const timeliness = sumItems(c.timeliness);
  const valid = c.rows - c.rejected;
  const result: { completeness?: number; timeliness?: number; validity: number; uniqueness?: number } = {
    validity: pct(valid, c.rows),
  };
  if (valid > 0) result.uniqueness = pct(valid - c.duplicates, valid);
  if (completeness.applicable > 0) result.completeness = pct(completeness.met, completeness.applicable);
  if (timeliness.applicable > 0) result.timeliness = pct(timeliness.met, timeliness.applicable);
  const dimensions = [result.validity, result.uniqueness, result.completeness, result.timeliness].filter(
    (d): d is number => d !== undefined,
  );
  const ici = Math.round((10 * dimensions.reduce((s, d) => s + d, 0)) / dimensions.length) / 10;
  return { ...result, ici };
}

export interface QualityEntry {
  readonly institution: string;
  readonly comuna: string;
  readonly counts: QualityCounts;
  readonly scores: QualityScores;
  /** Items of the contract with their share met, for the institution to see what to correct. */
  readonly items: readonly {
    readonly item: string;
    readonly label: string;
    readonly applicable: number;
    readonly met: number;
  }[];
}

export interface QualityReport {
  readonly cut: string;
  readonly source: string;
  readonly producer: string;
  readonly contractVersion: string;
  readonly runId: string;
  readonly total: { readonly counts: QualityCounts; readonly scores: QualityScores };
  readonly entries: readonly QualityEntry[];
}

export function buildQualityReport(
  contract: SourceContract<unknown>,
  meta: { cut: string; runId: string },
  tally: Readonly<QualityTally>,
): QualityReport {
  const labels = new Map<string, string>();
  for (const i of contract.quality.completeness) labels.set(i.item, i.label);
  for (const i of contract.quality.timeliness) labels.set(i.item, i.label);
  const total: QualityTally = {};
  for (const c of Object.values(tally)) mergeTally(total, { all: c });
  const totalCounts = total.all ?? {
    rows: 0,
    rejected: 0,
    duplicates: 0,
    carried: 0,
    completeness: {},
    timeliness: {},
  };
  const entries = Object.entries(tally)
    .map(([key, counts]) => {
      const bar = key.lastIndexOf('|');
      return {
        institution: key.slice(0, bar),
        comuna: key.slice(bar + 1),
        counts,
        scores: scoresOf(counts),
        items: [...Object.entries(counts.completeness), ...Object.entries(counts.timeliness)].map(
          ([item, c]) => ({
            item,
            label: labels.get(item) ?? item,
            applicable: c.applicable,
            met: c.met,
          }),
        ),
      };
    })
    // Lowest index first; institutions without one (no rows in this extract) last.
    .sort(
      (a, b) =>
        (a.scores.ici ?? Number.POSITIVE_INFINITY) - (b.scores.ici ?? Number.POSITIVE_INFINITY) ||
        a.institution.localeCompare(b.institution),
    );
  return {
    cut: meta.cut,
    source: contract.source,
    producer: contract.producer,
    contractVersion: contract.version,
    runId: meta.runId,
    total: { counts: totalCounts, scores: scoresOf(totalCounts) },
    entries,
  };
}

/**
 * The cumulative index of a year from its monthly indices: the ICI's annual figure (their sum
 * divided by 11, final once 11 months are in) and, meanwhile, their average.
 */
export function cumulativeIci(monthly: readonly number[]): {
  annual: number;
  average: number;
  months: number;
} {
  const sum = monthly.reduce((s, v) => s + v, 0);
  const round = (v: number): number => Math.round(10 * v) / 10;
  return {
    annual: round(sum / 11),
    average: monthly.length > 0 ? round(sum / monthly.length) : 0,
    months: monthly.length,
  };
}

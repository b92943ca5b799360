/**
 * Model evaluation beyond the ranking: the selection at each comuna's OLN capacity, precision–recall,
 * calibration and an Aequitas-style audit of error rates across groups. Every figure is computed here
 * from scores and labels.
 */
import { capacityFor } from '../../functions/shared/domain/oln-capacity';
import { precisionAtK, type RateInterval, wilsonInterval } from './metrics';

/** How many of a comuna's `children` its OLN takes: `capacityFor` with the committed configuration. */
export type CapacityRule = (comuna: string, children: number) => number;

/** Children of each comuna in a roster, in first-seen order, with the row indices of each. */
export function rowsByComuna(comunas: readonly string[]): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (let i = 0; i < comunas.length; i++) {
    const c = comunas[i] as string;
    const list = rows.get(c);
    if (list) list.push(i);
    else rows.set(c, [i]);
  }
  return rows;
}

/**
 * The rows of one comuna in roster order: rows the head rule ranks after the model's head
 * (`demoted`, see `functions/roster/domain/head-rule.ts`) after every other, then highest score
 * first, ties broken by row (the training sets sort rows by pseudonym, as the roster breaks ties by
 * child id).
 */
export function rosterOrder(
  scores: ArrayLike<number>,
  rows: readonly number[],
  demoted?: ArrayLike<boolean>,
): Uint32Array {
  const tier = (r: number): number => (demoted?.[r] ? 1 : 0);
  return Uint32Array.from(rows).sort(
    (a, b) => tier(a) - tier(b) || (scores[b] as number) - (scores[a] as number) || a - b,
  );
}

/**
 * The rule production uses: per comuna, the head of the comuna's own ranking at its own capacity —
 * `capacity(comuna, children of that comuna in the roster)` children. `comunas[i]` is row i's comuna;
 * returns 1 for each selected row.
 */
export function selectAtCapacity(
  scores: ArrayLike<number>,
  comunas: readonly string[],
  capacity: CapacityRule = capacityFor,
  demoted?: ArrayLike<boolean>,
): Uint8Array {
  if (scores.length !== comunas.length)
    throw new Error(`${scores.length} scores for ${comunas.length} comunas: one comuna per row`);
  const selected = new Uint8Array(scores.length);
  for (const [comuna, rows] of rowsByComuna(comunas)) {
    const order = rosterOrder(scores, rows, demoted);
    const k = capacity(comuna, rows.length);
    for (let i = 0; i < k; i++) selected[order[i] as number] = 1;
  }
  return selected;
}

/** One comuna's capacity in a roster: its children and how many its OLN takes. */
export interface ComunaCapacity {
  readonly comuna: string;
  readonly children: number;
  readonly capacity: number;
}

/** Each comuna's children and capacity in a roster, largest comuna first (ties by CUT). */
export function comunaCapacities(
  comunas: readonly string[],
  capacity: CapacityRule = capacityFor,
): ComunaCapacity[] {
  return [...rowsByComuna(comunas)]
    .map(([comuna, rows]) => ({ comuna, children: rows.length, capacity: capacity(comuna, rows.length) }))
    .sort((a, b) => b.children - a.children || a.comuna.localeCompare(b.comuna));
}

/** Precision and recall of a selection: the share of the selected with the outcome, and of the outcomes selected. */
export function selectionScores(
  selected: ArrayLike<number | boolean>,
  labels: ArrayLike<number>,
): { selected: number; hits: number; positives: number; precision: number; recall: number } {
  let count = 0;
  let hits = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] === 1;
    if (y) positives++;
    if (selected[i]) {
      count++;
      if (y) hits++;
    }
  }
  return {
    selected: count,
    hits,
    positives,
    precision: count > 0 ? hits / count : Number.NaN,
    recall: positives > 0 ? hits / positives : Number.NaN,
  };
}

/**
 * The standard error of a precision at capacity summed over comunas: each comuna's head is a sample
 * of its own size, so the variance is Σ kᶜ·pᶜ(1 − pᶜ) / K², kᶜ the comuna's capacity and pᶜ its precision.
 */
export function stratifiedPrecisionError(
  selected: ArrayLike<number | boolean>,
  labels: ArrayLike<number>,
  comunas: readonly string[],
): number {
  let variance = 0;
  let total = 0;
  for (const rows of rowsByComuna(comunas).values()) {
    let k = 0;
    let hits = 0;
    for (const i of rows)
      if (selected[i]) {
        k++;
        hits += labels[i] === 1 ? 1 : 0;
      }
    if (k === 0) continue;
    const p = hits / k;
    variance += k * p * (1 - p);
    total += k;
  }
  return total > 0 ? Math.sqrt(variance) / total : Number.NaN;
}

/** Average precision (area under the precision–recall curve, step-wise). */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  const positives = idx.reduce((s, i) => s + (labels[i] as number), 0);
  if (positives === 0) return Number.NaN;
  let hits = 0;
  let sum = 0;
  idx.forEach((i, rank) => {
    if (labels[i] === 1) {
      hits++;
      sum += hits / (rank + 1);
    }
  });
  return sum / positives;
}

/** Share of all positives found among the `k` highest scores. */
export function recallAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const positives = Array.from(labels as ArrayLike<number>).reduce((s, v) => s + v, 0);
  if (positives === 0) return Number.NaN;
  return (precisionAtK(scores, labels, k) * Math.min(k, scores.length)) / positives;
}

export interface CalibrationBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
}

/**
 * Calibration in bins of equal count (so that sparse high-risk bins are not empty), and the
 * expected calibration error: the count-weighted mean gap between predicted and observed rates.
 */
export function calibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): { bins: CalibrationBin[]; ece: number } {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  const out: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const slice = idx.slice(Math.floor((b * idx.length) / bins), Math.floor(((b + 1) * idx.length) / bins));
    if (slice.length === 0) continue;
    const predicted = slice.reduce((s, i) => s + (scores[i] as number), 0) / slice.length;
    const observed = slice.reduce((s, i) => s + (labels[i] as number), 0) / slice.length;
    out.push({
      from: scores[slice[0] as number] as number,
      to: scores[slice[slice.length - 1] as number] as number,
      count: slice.length,
      meanPredicted: predicted,
      observedRate: observed,
    });
    ece += (slice.length / idx.length) * Math.abs(predicted - observed);
  }
  return { bins: out, ece };
}

export interface GroupRates {
  readonly group: string;
  readonly count: number;
  /** Children of the group with the outcome, and those the roster selects. */
  readonly positives: number;
  readonly selectedCount: number;
  readonly prevalence: number;
  /** Share of the group's positives not selected. */
  readonly falseNegativeRate: number;
  /** Share of the group's negatives selected. */
  readonly falsePositiveRate: number;
  /** Share of the group selected. */
  readonly predictedPositiveRate: number;
  /**
   * Wilson 95% intervals of the four rates; undefined where the rate's denominator is under
   * `MIN_RATE_DENOMINATOR` (the rate itself is then NaN: too few to report).
   */
  readonly prevalenceInterval?: RateInterval;
  readonly fnrRateInterval?: RateInterval;
  readonly fprRateInterval?: RateInterval;
  readonly pprRateInterval?: RateInterval;
}

/** A group of fewer children than `MIN_GROUP_REPORT` left out of the audit, and why. */
export interface SuppressedGroup {
  readonly group: string;
  readonly count: number;
  readonly reason: string;
}

/** Groups of fewer children are not reported at all: their rates would identify too few children. */
export const MIN_GROUP_REPORT = 30;
/** A rate whose denominator (children, at-risk children, children without the outcome) is smaller is not reported. */
export const MIN_RATE_DENOMINATOR = 5;

/** A 95% confidence interval of a ratio of two rates. */
export interface RatioInterval {
  readonly low: number;
  readonly high: number;
}

export interface GroupDisparity extends GroupRates {
  readonly fnrDisparity: number;
  readonly fprDisparity: number;
  readonly pprDisparity: number;
  /** 95% intervals of the three ratios; undefined where a count is zero or the group too small. */
  readonly fnrInterval?: RatioInterval;
  readonly fprInterval?: RatioInterval;
  readonly pprInterval?: RatioInterval;
  /** Any disparity outside [0.8, 1.25]. */
  readonly flagged: boolean;
  /** A flagged disparity whose whole 95% interval lies outside [0.8, 1.25]: not sampling noise. */
  readonly confident: boolean;
}

/**
 * The 95% interval of the ratio (x1/n1) / (x0/n0) on the log scale (Katz): the variance of the
 * log ratio is 1/x1 − 1/n1 + 1/x0 − 1/n0. Undefined when a numerator is zero.
 */
export function ratioInterval(x1: number, n1: number, x0: number, n0: number): RatioInterval | undefined {
  if (x1 <= 0 || x0 <= 0 || n1 <= 0 || n0 <= 0) return undefined;
  const ratio = x1 / n1 / (x0 / n0);
  const se = Math.sqrt(Math.max(0, 1 / x1 - 1 / n1 + 1 / x0 - 1 / n0));
  return { low: ratio * Math.exp(-1.96 * se), high: ratio * Math.exp(1.96 * se) };
}

export interface AttributeAudit {
  readonly attribute: string;
  readonly reference: string;
  readonly groups: readonly GroupDisparity[];
  /** Groups under `MIN_GROUP_REPORT` children, left out of `groups`. */
  readonly suppressed: readonly SuppressedGroup[];
}

export const DISPARITY_RANGE = { low: 0.8, high: 1.25 } as const;

/**
 * Error rates per group of `attribute` when the `selected` rows are the ones the roster puts in
 * front of the OLN, and their ratio to the largest group's (the reference), Aequitas-style.
 * Groups smaller than `minCount` are reported without disparities (too few to judge); groups under
 * `MIN_GROUP_REPORT` children are not reported at all but listed in `suppressed`, and a rate whose
 * denominator is under `MIN_RATE_DENOMINATOR` is NaN. Every rate comes with its Wilson interval.
 */
export function auditAttribute(
  attribute: string,
  groupOf: readonly string[],
  labels: ArrayLike<number>,
  selected: ArrayLike<boolean | number>,
  minCount = 100,
): AttributeAudit {
  const stats = new Map<string, { n: number; pos: number; tp: number; fp: number; sel: number }>();
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i] as string;
    const s = stats.get(g) ?? { n: 0, pos: 0, tp: 0, fp: 0, sel: 0 };
    s.n++;
    const y = labels[i] === 1;
    const chosen = Boolean(selected[i]);
    if (y) s.pos++;
    if (chosen) s.sel++;
    if (chosen && y) s.tp++;
    if (chosen && !y) s.fp++;
    stats.set(g, s);
  }
  const suppressed: SuppressedGroup[] = [];
  const rates: (GroupRates & {
    readonly s: { n: number; pos: number; tp: number; fp: number; sel: number };
  })[] = [];
  for (const [group, s] of stats) {
    if (s.n < MIN_GROUP_REPORT) {
      suppressed.push({ group, count: s.n, reason: `${s.n} children, fewer than ${MIN_GROUP_REPORT}` });
      continue;
    }
    const rate = (x: number, n: number): number => (n >= MIN_RATE_DENOMINATOR ? x / n : Number.NaN);
    const interval = (x: number, n: number): RateInterval | undefined =>
      n >= MIN_RATE_DENOMINATOR ? wilsonInterval(x, n) : undefined;
    const neg = s.n - s.pos;
    const prevalenceInterval = interval(s.pos, s.n);
    const fnrRateInterval = interval(s.pos - s.tp, s.pos);
    const fprRateInterval = interval(s.fp, neg);
    const pprRateInterval = interval(s.sel, s.n);
    rates.push({
      s,
      group,
      count: s.n,
      positives: s.pos,
      selectedCount: s.sel,
      prevalence: rate(s.pos, s.n),
      falseNegativeRate: rate(s.pos - s.tp, s.pos),
      falsePositiveRate: rate(s.fp, neg),
      predictedPositiveRate: rate(s.sel, s.n),
      ...(prevalenceInterval ? { prevalenceInterval } : {}),
      ...(fnrRateInterval ? { fnrRateInterval } : {}),
      ...(fprRateInterval ? { fprRateInterval } : {}),
      ...(pprRateInterval ? { pprRateInterval } : {}),
    });
  }
  suppressed.sort((a, b) => b.count - a.count || a.group.localeCompare(b.group));
  rates.sort((a, b) => b.count - a.count || a.group.localeCompare(b.group));
  const reference = rates[0];
  if (!reference) return { attribute, reference: '', groups: [], suppressed };
  const ratio = (v: number, r: number): number => (r > 0 && Number.isFinite(v) ? v / r : Number.NaN);
  const outside = (d: number): boolean =>
    Number.isFinite(d) && (d < DISPARITY_RANGE.low || d > DISPARITY_RANGE.high);
  const whollyOutside = (d: number, i: RatioInterval | undefined): boolean =>
    outside(d) && i !== undefined && (i.high < DISPARITY_RANGE.low || i.low > DISPARITY_RANGE.high);
  const ref = reference.s;
  return {
    attribute,
    reference: reference.group,
    suppressed,
    groups: rates.map(({ s, ...r }) => {
      const judged = r.count >= minCount;
      // The reference's ratios are 1 by definition: no interval.
      const estimated = judged && r.group !== reference.group;
      const fnr = judged ? ratio(r.falseNegativeRate, reference.falseNegativeRate) : Number.NaN;
      const fpr = judged ? ratio(r.falsePositiveRate, reference.falsePositiveRate) : Number.NaN;
      const ppr = judged ? ratio(r.predictedPositiveRate, reference.predictedPositiveRate) : Number.NaN;
      const fnrInterval = estimated
        ? ratioInterval(s.pos - s.tp, s.pos, ref.pos - ref.tp, ref.pos)
        : undefined;
      const fprInterval = estimated ? ratioInterval(s.fp, s.n - s.pos, ref.fp, ref.n - ref.pos) : undefined;
      const pprInterval = estimated ? ratioInterval(s.sel, s.n, ref.sel, ref.n) : undefined;
      return {
        ...r,
        fnrDisparity: fnr,
        fprDisparity: fpr,
        pprDisparity: ppr,
        ...(fnrInterval ? { fnrInterval } : {}),
        ...(fprInterval ? { fprInterval } : {}),
        ...(pprInterval ? { pprInterval } : {}),
        flagged: outside(fnr) || outside(fpr) || outside(ppr),
        confident:
          whollyOutside(fnr, fnrInterval) ||
          whollyOutside(fpr, fprInterval) ||
          whollyOutside(ppr, pprInterval),
      };
    }),
  };
}

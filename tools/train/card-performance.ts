/**
 * The model card's headline sections: the figures of every independent test cohort with their
 * bootstrap intervals and spread, the targets judged on every cohort's interval, and each comuna's
 * capacity and precision at capacity. Every figure is computed at the rule production uses: the
 * head of each comuna's own roster at its own OLN capacity.
 */
import type { HeadlineIntervals, Interval } from './bootstrap';
import { boot, f3, label, pct, rateWithInterval, signed, span } from './card-format';
import type { ComunaCapacity } from './evaluation';
import { MIN_GROUP_REPORT, MIN_RATE_DENOMINATOR } from './evaluation';
import type { RateInterval } from './metrics';
import { spread } from './metrics';

/** The headline figures of one scorer on one set, precision and recall at each comuna's capacity. */
export interface Scores {
  readonly auc: number;
  readonly prAuc: number;
  readonly precisionAtCapacity: number;
  readonly recallAtCapacity: number;
  readonly ece: number;
}

/** One independent test cohort, evaluated as one roster at each comuna's capacity. */
export interface TestCohortEvaluation {
  readonly cut: string;
  readonly seed: number;
  readonly rows: number;
  readonly baseRate: number;
  readonly model: Scores;
  readonly oracle: Scores;
  /** Logistic recalibration of the outcome on the model's logit (1 and 0 when calibrated). */
  readonly calibrationFit: { readonly slope: number; readonly intercept: number };
  /** Percentile bootstrap 95% intervals of the headline figures, stratified by comuna. */
  readonly intervals: HeadlineIntervals;
  /** Each comuna's children in the cohort and its capacity. */
  readonly capacities: readonly ComunaCapacity[];
}

/** Precision at capacity of one comuna over the test cohorts pooled. */
export interface ComunaPrecision {
  readonly comuna: string;
  /** The configured share of the comuna's roster its OLN takes. */
  readonly share: number;
  readonly children: number;
  /** The comuna's capacity in each test cohort, in the order of `testCohorts`. */
  readonly capacities: readonly number[];
  readonly selected: number;
  readonly hits: number;
  /** Positives the oracle's head of the same size takes. */
  readonly oracleHits: number;
  /** Wilson 95% intervals of the model's and the oracle's precision. */
  readonly interval?: RateInterval;
  readonly oracleInterval?: RateInterval;
}

/**
 * The test cohorts pooled, each cohort still its own roster: the sample the targets are judged on.
 * Its bootstrap is stratified by cohort and comuna, so every resample keeps each cohort's comunas at
 * their sizes and capacities.
 */
export interface PooledEvaluation {
  readonly rows: number;
  /** Children selected at capacity over the cohorts. */
  readonly selected: number;
  readonly calibrationFit: { readonly slope: number; readonly intercept: number };
  readonly intervals: HeadlineIntervals;
}

/** What the headline sections read of the evaluation. */
export interface HeadlineEvaluation {
  /** Figures over the test cohorts pooled, each cohort's comunas selected within the cohort. */
  readonly model: Scores;
  readonly oracle: Scores;
  /** Each independent test cohort with its intervals. */
  readonly testCohorts: readonly TestCohortEvaluation[];
  /** The cohorts pooled, with the intervals the targets are judged on. */
  readonly pooled: PooledEvaluation;
  /** Precision at capacity per comuna over the test cohorts pooled, and the comunas too small to show. */
  readonly comunas: readonly ComunaPrecision[];
  readonly comunasSuppressed: readonly { readonly comuna: string; readonly children: number }[];
}

/** A headline target, judged on each test cohort's interval. */
interface Target {
  readonly name: string;
  readonly judgedOn: string;
  readonly interval: (iv: HeadlineIntervals) => Interval;
  readonly holds: (i: Interval) => boolean;
  /** How an interval that fails misses, in words with its figure. */
  readonly miss: (i: Interval) => string;
}

export const TARGETS: readonly Target[] = [
  {
    name: 'AUC gap to the oracle ≤ 0.02',
    judgedOn: 'upper bound',
    interval: (iv) => iv.aucGap,
    holds: (i) => i.high <= 0.02,
    miss: (i) => `upper bound ${f3(i.high)}, ${f3(i.high - 0.02)} over`,
  },
  {
    name: "precision at capacity ≥ 0.90 of the oracle's",
    judgedOn: 'lower bound',
    interval: (iv) => iv.precisionRatio,
    holds: (i) => i.low >= 0.9,
    miss: (i) => `lower bound ${f3(i.low)}, ${f3(0.9 - i.low)} under`,
  },
  {
    name: 'ECE ≤ 0.03',
    judgedOn: 'upper bound',
    interval: (iv) => iv.ece,
    holds: (i) => i.high <= 0.03,
    miss: (i) => `upper bound ${f3(i.high)}, ${f3(i.high - 0.03)} over`,
  },
  {
    name: 'calibration slope within 0.9–1.1',
    judgedOn: 'whole interval',
    interval: (iv) => iv.calibrationSlope,
    holds: (i) => i.low >= 0.9 && i.high <= 1.1,
    miss: (i) => (i.low < 0.9 ? `lower bound ${f3(i.low)}` : `upper bound ${f3(i.high)}`),
  },
];

/**
 * A target is met when it holds on the interval of the test cohorts pooled; whether it also holds on
 * each cohort's own, smaller sample is told beside it, naming the cohorts that miss and by how much.
 */
export function judgeTarget(
  target: Target,
  pooled: HeadlineIntervals | undefined,
  cohorts: readonly TestCohortEvaluation[],
): { met: boolean; miss?: string; failing: string[] } {
  const failing = cohorts
    .filter((c) => !target.holds(target.interval(c.intervals)))
    .map((c) => `seed ${c.seed} (${target.miss(target.interval(c.intervals))})`);
  if (!pooled) return { met: false, miss: 'no pooled interval', failing };
  const interval = target.interval(pooled);
  const met = target.holds(interval);
  return met ? { met, failing } : { met, miss: target.miss(interval), failing };
}

/** Half the width of the precision ratio's interval, averaged over the cohorts. */
function meanHalfWidth(cohorts: readonly TestCohortEvaluation[]): number {
  const widths = cohorts.map((c) => (c.intervals.precisionRatio.high - c.intervals.precisionRatio.low) / 2);
  return widths.reduce((s, w) => s + w, 0) / Math.max(1, widths.length);
}

export function performanceSection(e: HeadlineEvaluation): string[] {
  const cohorts = e.testCohorts;
  const resamples = cohorts[0]?.intervals.resamples ?? 0;
  const head = cohorts.map((c) => `seed ${c.seed}`).join(' | ');
  const align = cohorts.map(() => '---:').join('|');
  const pooled = e.pooled;
  const row = (
    name: string,
    point: (c: Pick<TestCohortEvaluation, 'model' | 'oracle' | 'calibrationFit'>) => number,
    iv: (i: HeadlineIntervals) => Interval,
  ) => {
    const points = cohorts.map(point);
    const s = spread(points);
    const all = boot(
      point({ model: e.model, oracle: e.oracle, calibrationFit: pooled.calibrationFit }),
      iv(pooled.intervals),
    );
    return `| ${name} | ${cohorts.map((c, i) => boot(points[i] as number, iv(c.intervals))).join(' | ')} | ${all} | ${signed(s.min)}–${signed(s.max)} | ${f3(s.sd)} |`;
  };
  return [
    `## Performance on the ${cohorts.length} test cohorts`,
    '',
    "Pooled over the test cohorts (each cohort's comunas selected within that cohort):",
    '',
    '| metric | model | oracle |',
    '|---|---:|---:|',
    `| AUC | ${f3(e.model.auc)} | ${f3(e.oracle.auc)} |`,
    `| PR-AUC (average precision) | ${f3(e.model.prAuc)} | ${f3(e.oracle.prAuc)} |`,
    `| precision at capacity | ${f3(e.model.precisionAtCapacity)} | ${f3(e.oracle.precisionAtCapacity)} |`,
    `| recall at capacity | ${f3(e.model.recallAtCapacity)} | ${f3(e.oracle.recallAtCapacity)} |`,
    `| expected calibration error (10 equal-count bins) | ${f3(e.model.ece)} | ${f3(e.oracle.ece)} |`,
    '',
    `Each cohort with its 95% interval: percentile bootstrap over the cohort's children (${resamples.toLocaleString('en')} resamples, seeded with the cohort's seed), stratified by comuna — each comuna's children are drawn from that comuna, so it keeps its size and its capacity — and the selection at each comuna's capacity is recomputed in every resample, for the model and the oracle alike, on the same children, so the gap and the ratios are judged on one interval each. *Pooled* is the same bootstrap over the ${cohorts.length} cohorts together (${pooled.rows.toLocaleString('en')} children, ${pooled.selected.toLocaleString('en')} selected at capacity), stratified by cohort and comuna, so each cohort stays its own roster. The spread is that of the cohorts' point estimates (min–max, and their standard deviation).`,
    '',
    `| figure | ${head} | pooled | spread | SD |`,
    `|---|${align}|---:|---:|---:|`,
    row(
      'AUC',
      (c) => c.model.auc,
      (i) => i.auc,
    ),
    row(
      'AUC gap to the oracle (oracle − model)',
      (c) => c.oracle.auc - c.model.auc,
      (i) => i.aucGap,
    ),
    row(
      'precision at capacity',
      (c) => c.model.precisionAtCapacity,
      (i) => i.precisionAtCapacity,
    ),
    row(
      "precision at capacity / oracle's",
      (c) => c.model.precisionAtCapacity / c.oracle.precisionAtCapacity,
      (i) => i.precisionRatio,
    ),
    row(
      'recall at capacity',
      (c) => c.model.recallAtCapacity,
      (i) => i.recallAtCapacity,
    ),
    row(
      "recall at capacity / oracle's (equals the precision ratio: same children, same capacity)",
      (c) => c.model.recallAtCapacity / c.oracle.recallAtCapacity,
      (i) => i.recallRatio,
    ),
    row(
      'expected calibration error',
      (c) => c.model.ece,
      (i) => i.ece,
    ),
    row(
      "calibration slope (outcome on the model's logit)",
      (c) => c.calibrationFit.slope,
      (i) => i.calibrationSlope,
    ),
    row(
      'calibration intercept',
      (c) => c.calibrationFit.intercept,
      (i) => i.calibrationIntercept,
    ),
    '',
    `Targets, each judged on a 95% interval, never on a point estimate. The verdict is on the interval of the ${cohorts.length} cohorts pooled: the figure a target sets is the model's performance on the population, and the pooled cohorts are the largest sample of it the card has. Each cohort's own interval is shown as well, and the last column says whether the target also holds on each cohort alone. One cohort selects about ${Math.round(pooled.selected / Math.max(1, cohorts.length)).toLocaleString('en')} children at capacity, so its precision ratio is known only to about ±${f3(meanHalfWidth(cohorts))} (the mean half-width of the cohorts' intervals): a model whose ratio is a few points above 0.90 misses that lower bound on some cohorts by sampling alone.`,
    '',
    `| target | judged on | ${head} | pooled | result (pooled) | on each cohort alone |`,
    `|---|---|${align}|---:|---|---|`,
    ...TARGETS.map((t) => {
      const verdict = judgeTarget(t, pooled.intervals, cohorts);
      const alone =
        verdict.failing.length === 0 ? 'holds on every cohort' : `misses on ${verdict.failing.join('; ')}`;
      return `| ${t.name} | ${t.judgedOn} | ${cohorts.map((c) => span(t.interval(c.intervals))).join(' | ')} | ${span(t.interval(pooled.intervals))} | ${verdict.met ? 'met' : `**not met** (${verdict.miss})`} | ${alone} |`;
    }),
    '',
  ];
}

export function capacitySection(e: HeadlineEvaluation): string[] {
  const cohorts = e.testCohorts;
  return [
    '## Capacity and precision per comuna',
    '',
    `Each comuna's configured share, its capacity in each test cohort (${cohorts.map((c) => `seed ${c.seed}`).join(', ')}), and its precision at capacity over the cohorts pooled — the model's head and the oracle's head of the same size — with 95% Wilson intervals. Comunas of fewer than ${MIN_GROUP_REPORT} children are not reported, as in the audit; a precision over fewer than ${MIN_RATE_DENOMINATOR} selected children is shown as —.`,
    '',
    '| comuna | share | children | capacity per cohort | selected | precision at capacity | oracle precision |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...e.comunas.map((c) => {
      const shown = c.selected >= MIN_RATE_DENOMINATOR;
      const precision = shown ? c.hits / c.selected : Number.NaN;
      const oracle = shown ? c.oracleHits / c.selected : Number.NaN;
      return `| ${label('comuna', c.comuna)} | ${pct(c.share)} | ${c.children.toLocaleString('en')} | ${c.capacities.join(' / ')} | ${c.selected} | ${rateWithInterval(precision, shown ? c.interval : undefined)} | ${rateWithInterval(oracle, shown ? c.oracleInterval : undefined)} |`;
    }),
    '',
    e.comunasSuppressed.length === 0
      ? `No comuna suppressed (every comuna has at least ${MIN_GROUP_REPORT} children).`
      : `Suppressed, fewer than ${MIN_GROUP_REPORT} children: ${e.comunasSuppressed.map((c) => `${label('comuna', c.comuna)} (${c.children})`).join('; ')}.`,
    '',
  ];
}

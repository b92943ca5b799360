/**
 * Percentile bootstrap of the headline test metrics over children, stratified by comuna: each
 * resample draws every comuna's children with replacement from that comuna (as a count per child), so
 * each comuna keeps its size and therefore its capacity, and the selection at capacity — the head of
 * each comuna's own ranking — is recomputed on the resample. Every metric, the model's and the
 * oracle's, is computed on that same resample, so gaps and ratios to the oracle are resampled
 * jointly. Scores are sorted once; a resample only walks the sorted orders with its counts.
 * Deterministic for a seed.
 */
import { capacityFor } from '../../functions/shared/domain/oln-capacity';
import type { CapacityRule } from './evaluation';
import { rosterOrder, rowsByComuna } from './evaluation';

/** Resamples of each test cohort behind every interval on the model card. */
export const BOOTSTRAP_RESAMPLES = 1000;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

export interface HeadlineIntervals {
  readonly resamples: number;
  readonly auc: Interval;
  readonly aucGap: Interval;
  readonly precisionAtCapacity: Interval;
  readonly recallAtCapacity: Interval;
  readonly precisionRatio: Interval;
  readonly recallRatio: Interval;
  readonly ece: Interval;
  readonly calibrationSlope: Interval;
  readonly calibrationIntercept: Interval;
}

/** Mulberry32: a small seeded generator, the same sequence for the same seed on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A scorer's sorted order (ascending score) and its runs of tied scores. */
interface Sorted {
  readonly order: Uint32Array;
  /** Index into `order` where each run of equal scores ends (exclusive). */
  readonly runEnds: Uint32Array;
  readonly scores: ArrayLike<number>;
}

function sortScores(scores: ArrayLike<number>): Sorted {
  const n = scores.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number) || a - b,
  );
  const ends: number[] = [];
  for (let i = 1; i <= n; i++) {
    if (i === n || scores[order[i] as number] !== scores[order[i - 1] as number]) ends.push(i);
  }
  return { order, runEnds: Uint32Array.from(ends), scores };
}

/** AUC of a resample given by `w` (count per child), ties given half credit. */
function weightedAuc(s: Sorted, labels: ArrayLike<number>, w: Uint32Array): number {
  let negBelow = 0;
  let sum = 0;
  let pos = 0;
  let start = 0;
  for (let r = 0; r < s.runEnds.length; r++) {
    const end = s.runEnds[r] as number;
    let wp = 0;
    let wn = 0;
    for (let k = start; k < end; k++) {
      const i = s.order[k] as number;
      const c = w[i] as number;
      if (labels[i] === 1) wp += c;
      else wn += c;
    }
    sum += wp * (negBelow + wn / 2);
    negBelow += wn;
    pos += wp;
    start = end;
  }
  return pos === 0 || negBelow === 0 ? Number.NaN : sum / (pos * negBelow);
}

/** Positives among the first `k` draws of the resample along `order` (a comuna's roster order). */
function headHits(order: Uint32Array, labels: ArrayLike<number>, w: Uint32Array, k: number): number {
  let left = k;
  let hits = 0;
  for (let j = 0; j < order.length && left > 0; j++) {
    const i = order[j] as number;
    const take = Math.min(left, w[i] as number);
    if (labels[i] === 1) hits += take;
    left -= take;
  }
  return hits;
}

/**
 * One stratified resample as a count per row: each stratum (the rows of one comuna) draws as many
 * rows as it has, with replacement, from itself only.
 */
export function stratifiedDraw(strata: readonly Uint32Array[], random: () => number, w: Uint32Array): void {
  w.fill(0);
  for (const rows of strata) {
    const n = rows.length;
    for (let d = 0; d < n; d++) {
      const i = rows[Math.floor(random() * n)] as number;
      w[i] = (w[i] as number) + 1;
    }
  }
}

/** ECE in `bins` equal-count bins of the resample's draws. */
function weightedEce(s: Sorted, labels: ArrayLike<number>, w: Uint32Array, total: number, bins = 10): number {
  let ece = 0;
  let b = 0;
  let slot = 0;
  let binEnd = Math.floor(total / bins);
  let pred = 0;
  let obs = 0;
  let count = 0;
  const close = (): void => {
    if (count > 0) ece += (count / total) * Math.abs(pred / count - obs / count);
    pred = 0;
    obs = 0;
    count = 0;
    b++;
    binEnd = Math.floor(((b + 1) * total) / bins);
  };
  for (let k = 0; k < s.order.length; k++) {
    const i = s.order[k] as number;
    let c = w[i] as number;
    const p = s.scores[i] as number;
    const y = labels[i] as number;
    while (c > 0) {
      while (slot >= binEnd && b < bins - 1) close();
      const take = Math.min(c, binEnd - slot);
      pred += take * p;
      obs += take * y;
      count += take;
      slot += take;
      c -= take;
    }
  }
  close();
  return ece;
}

/**
 * Calibration slope and intercept: the logistic regression of the outcome on the model's logit
 * (slope 1 and intercept 0 for a calibrated model), fitted by Newton's method on the weights.
 */
export function calibrationFit(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): { slope: number; intercept: number } {
  return fitOnLogits(logits(probabilities), labels, weights, { slope: 1, intercept: 0 });
}

function logits(probabilities: ArrayLike<number>): Float64Array {
  const z = new Float64Array(probabilities.length);
  for (let i = 0; i < z.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, probabilities[i] as number));
    z[i] = Math.log(p / (1 - p));
  }
  return z;
}

function fitOnLogits(
  z: Float64Array,
  labels: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  start: { slope: number; intercept: number },
): { slope: number; intercept: number } {
  const n = z.length;
  let a = start.intercept;
  let b = start.slope;
  for (let iter = 0; iter < 25; iter++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 0;
    let h01 = 0;
    let h11 = 0;
    for (let i = 0; i < n; i++) {
      const c = weights ? (weights[i] as number) : 1;
      if (c === 0) continue;
      const zi = z[i] as number;
      const m = 1 / (1 + Math.exp(-(a + b * zi)));
      const r = c * ((labels[i] as number) - m);
      const v = c * m * (1 - m);
      g0 += r;
      g1 += r * zi;
      h00 += v;
      h01 += v * zi;
      h11 += v * zi * zi;
    }
    const det = h00 * h11 - h01 * h01;
    if (!(det > 0)) break;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    a += da;
    b += db;
    if (Math.abs(da) < 1e-8 && Math.abs(db) < 1e-8) break;
  }
  return { slope: b, intercept: a };
}

/** The 2.5th and 97.5th percentiles of `values`, NaNs left out. */
export function percentileInterval(values: ArrayLike<number>): Interval {
  const v = Float64Array.from(values as ArrayLike<number>)
    .filter((x) => Number.isFinite(x))
    .sort();
  if (v.length === 0) return { low: Number.NaN, high: Number.NaN };
  const at = (q: number): number =>
    v[Math.min(v.length - 1, Math.max(0, Math.floor(q * v.length)))] as number;
  return { low: at(0.025), high: at(0.975) };
}

/**
 * Bootstrap intervals of the headline metrics of `model` beside `oracle` on the same children, each
 * selecting per comuna the head of the comuna's own roster at `capacity(comuna, its children)` (for
 * the model, in roster order: rows `demoted` by the head rule after the others),
 * over `resamples` resamples stratified by comuna and drawn from `seed`. `comunas[i]` is row i's.
 */
export function bootstrapHeadline(
  model: ArrayLike<number>,
  oracle: ArrayLike<number>,
  labels: ArrayLike<number>,
  comunas: readonly string[],
  seed: number,
  resamples = 1000,
  capacity: CapacityRule = capacityFor,
  /** Rows the head rule ranks after the model's head (production's roster order); the oracle has no such rule. */
  demoted?: ArrayLike<boolean>,
): HeadlineIntervals {
  const n = labels.length;
  if (model.length !== n || oracle.length !== n || comunas.length !== n)
    throw new Error('model, oracle, labels and comunas must have one entry per child');
  const m = sortScores(model);
  const o = sortScores(oracle);
  // A comuna keeps its size in every resample, so its capacity is fixed; its orders are sorted once.
  const heads = [...rowsByComuna(comunas)].map(([comuna, rows]) => ({
    rows: Uint32Array.from(rows),
    k: capacity(comuna, rows.length),
    model: rosterOrder(model, rows, demoted),
    oracle: rosterOrder(oracle, rows),
  }));
  const strata = heads.map((h) => h.rows);
  const k = heads.reduce((s, h) => s + h.k, 0);
  const random = seededRandom(seed);
  const w = new Uint32Array(n);
  const series = {
    auc: new Float64Array(resamples),
    aucGap: new Float64Array(resamples),
    precisionAtCapacity: new Float64Array(resamples),
    recallAtCapacity: new Float64Array(resamples),
    precisionRatio: new Float64Array(resamples),
    recallRatio: new Float64Array(resamples),
    ece: new Float64Array(resamples),
    calibrationSlope: new Float64Array(resamples),
    calibrationIntercept: new Float64Array(resamples),
  };
  const z = logits(model);
  const start = fitOnLogits(z, labels, undefined, { slope: 1, intercept: 0 });
  for (let r = 0; r < resamples; r++) {
    stratifiedDraw(strata, random, w);
    let positives = 0;
    for (let i = 0; i < n; i++) if (labels[i] === 1) positives += w[i] as number;
    const auc = weightedAuc(m, labels, w);
    const oracleAuc = weightedAuc(o, labels, w);
    let hits = 0;
    let oracleHits = 0;
    for (const h of heads) {
      hits += headHits(h.model, labels, w, h.k);
      oracleHits += headHits(h.oracle, labels, w, h.k);
    }
    series.auc[r] = auc;
    series.aucGap[r] = oracleAuc - auc;
    series.precisionAtCapacity[r] = k > 0 ? hits / k : Number.NaN;
    series.recallAtCapacity[r] = positives > 0 ? hits / positives : Number.NaN;
    series.precisionRatio[r] = oracleHits > 0 ? hits / oracleHits : Number.NaN;
    // Recall shares the resample's positives with the oracle's, so its ratio is the same count ratio.
    series.recallRatio[r] = oracleHits > 0 ? hits / oracleHits : Number.NaN;
    series.ece[r] = weightedEce(m, labels, w, n);
    const fit = fitOnLogits(z, labels, w, start);
    series.calibrationSlope[r] = fit.slope;
    series.calibrationIntercept[r] = fit.intercept;
  }
  return {
    resamples,
    auc: percentileInterval(series.auc),
    aucGap: percentileInterval(series.aucGap),
    precisionAtCapacity: percentileInterval(series.precisionAtCapacity),
    recallAtCapacity: percentileInterval(series.recallAtCapacity),
    precisionRatio: percentileInterval(series.precisionRatio),
    recallRatio: percentileInterval(series.recallRatio),
    ece: percentileInterval(series.ece),
    calibrationSlope: percentileInterval(series.calibrationSlope),
    calibrationIntercept: percentileInterval(series.calibrationIntercept),
  };
}

/** Evaluation metrics computed from scores and labels (no copied figures). */

/** Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties given half credit. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let rankSumPos = 0;
  let pos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1] as number] === scores[idx[i] as number]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k] as number] === 1) {
        rankSumPos += avgRank;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Share of positives among the `k` highest scores. */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  let hits = 0;
  const top = Math.min(k, idx.length);
  for (let i = 0; i < top; i++) hits += labels[idx[i] as number] as number;
  return top === 0 ? Number.NaN : hits / top;
}

/** The 19 probabilities that split `scores` into twenty equal-count groups. */
export function ventileCutPoints(scores: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(scores as ArrayLike<number>).sort();
  const cuts: number[] = [];
  for (let v = 1; v < 20; v++) {
    const at = Math.min(sorted.length - 1, Math.floor((v * sorted.length) / 20));
    cuts.push(Number((sorted[at] as number).toFixed(7)));
  }
  return cuts;
}

/** A 95% confidence interval of a proportion. */
export interface RateInterval {
  readonly low: number;
  readonly high: number;
}

/**
 * The Wilson score interval (95%, z = 1.96) of `successes` out of `n`. Unlike the normal (Wald)
 * interval it stays inside [0, 1] and does not collapse to a point at 0 of n or n of n: 0 of 40
 * gives 0–8.8%, not 0–0%. Undefined when `n` is zero.
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): RateInterval | undefined {
  if (n <= 0) return undefined;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Minimum, maximum and sample standard deviation of one figure's point estimates across cohorts. */
export function spread(values: readonly number[]): { min: number; max: number; sd: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { min: Number.NaN, max: Number.NaN, sd: Number.NaN };
  const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
  const sd =
    finite.length < 2
      ? Number.NaN
      : Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / (finite.length - 1));
  return { min: Math.min(...finite), max: Math.max(...finite), sd };
}

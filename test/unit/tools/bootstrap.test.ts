import { describe, expect, it } from 'vitest';
import {
  bootstrapHeadline,
  calibrationFit,
  percentileInterval,
  seededRandom,
  stratifiedDraw,
} from '../../../tools/train/bootstrap';
import {
  calibration,
  rowsByComuna,
  selectAtCapacity,
  selectionScores,
} from '../../../tools/train/evaluation';
import { auc } from '../../../tools/train/metrics';

/** Two comunas of unequal size and capacity: 5% of the first, 2% of the second. */
const COMUNAS = ['01101', '13101'] as const;
const rule = (comuna: string, children: number): number =>
  Math.max(1, Math.round(children * (comuna === '01101' ? 0.05 : 0.02)));
const comunasOf = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => (i % 3 === 0 ? COMUNAS[0] : COMUNAS[1]));

/** A cohort whose outcome is drawn from `truth`; the model sees a noisier version of it. */
function cohort(n: number, seed: number): { truth: Float64Array; model: Float64Array; y: Uint8Array } {
  const random = seededRandom(seed);
  const truth = new Float64Array(n);
  const model = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const z = -2 + 1.5 * (random() + random() + random() - 1.5) * 2;
    const noise = (random() - 0.5) * 1.2;
    truth[i] = 1 / (1 + Math.exp(-z));
    model[i] = 1 / (1 + Math.exp(-(z + noise)));
    y[i] = random() < (truth[i] as number) ? 1 : 0;
  }
  return { truth, model, y };
}

describe('stratifiedDraw', () => {
  it('keeps every comuna at its size and draws each comuna only from its own children', () => {
    const comunas = comunasOf(3000);
    const strata = [...rowsByComuna(comunas).values()].map((rows) => Uint32Array.from(rows));
    const w = new Uint32Array(comunas.length);
    const random = seededRandom(9);
    for (let r = 0; r < 20; r++) {
      stratifiedDraw(strata, random, w);
      const drawn = new Map<string, number>();
      w.forEach((count, i) => {
        drawn.set(comunas[i] as string, (drawn.get(comunas[i] as string) ?? 0) + count);
      });
      expect(drawn.get('01101')).toBe(1000);
      expect(drawn.get('13101')).toBe(2000);
    }
    // A resample, not the cohort itself: some children are drawn twice, some not at all.
    expect(w.some((c) => c === 0)).toBe(true);
    expect(w.some((c) => c > 1)).toBe(true);
  });
});

describe('bootstrapHeadline', () => {
  const { truth, model, y } = cohort(4000, 7);
  const comunas = comunasOf(4000);

  it('gives the same intervals for the same seed, and others for another', () => {
    const a = bootstrapHeadline(model, truth, y, comunas, 2024, 200, rule);
    const b = bootstrapHeadline(model, truth, y, comunas, 2024, 200, rule);
    const c = bootstrapHeadline(model, truth, y, comunas, 2025, 200, rule);
    expect(b).toEqual(a);
    expect(c.auc).not.toEqual(a.auc);
  });

  it("contains the point estimates of the cohort's figures, precision at each comuna's capacity", () => {
    const iv = bootstrapHeadline(model, truth, y, comunas, 1, 300, rule);
    const pointAuc = auc(model, y);
    expect(iv.auc.low).toBeLessThanOrEqual(pointAuc);
    expect(iv.auc.high).toBeGreaterThanOrEqual(pointAuc);
    const precision = selectionScores(selectAtCapacity(model, comunas, rule), y).precision;
    expect(iv.precisionAtCapacity.low).toBeLessThanOrEqual(precision);
    expect(iv.precisionAtCapacity.high).toBeGreaterThanOrEqual(precision);
    const ece = calibration(model, y).ece;
    expect(iv.ece.low).toBeLessThanOrEqual(ece);
    expect(iv.ece.high).toBeGreaterThanOrEqual(ece);
    const fit = calibrationFit(model, y);
    expect(iv.calibrationSlope.low).toBeLessThanOrEqual(fit.slope);
    expect(iv.calibrationSlope.high).toBeGreaterThanOrEqual(fit.slope);
  });

  it('resamples the gap to the oracle jointly: a model equal to the oracle has a gap of exactly 0', () => {
    const iv = bootstrapHeadline(truth, truth, y, comunas, 3, 100, rule);
    expect(iv.aucGap).toEqual({ low: 0, high: 0 });
    expect(iv.precisionRatio).toEqual({ low: 1, high: 1 });
    // Resampled separately, the two AUCs would differ from draw to draw; jointly the gap is far
    // narrower than the AUC's own interval.
    const noisy = bootstrapHeadline(model, truth, y, comunas, 3, 200, rule);
    expect(noisy.aucGap.high - noisy.aucGap.low).toBeLessThan(noisy.auc.high - noisy.auc.low);
  });

  it("takes the model's head in roster order: children the head rule demotes come after every other", () => {
    // Demote exactly the positives: the model's head then holds none of them, in every resample,
    // while the oracle, which has no such rule, still takes its own head.
    const demoted = Array.from(y, (v) => v === 1);
    const iv = bootstrapHeadline(truth, truth, y, comunas, 5, 100, rule, demoted);
    expect(iv.precisionAtCapacity).toEqual({ low: 0, high: 0 });
    expect(iv.precisionRatio).toEqual({ low: 0, high: 0 });
    const none = bootstrapHeadline(
      truth,
      truth,
      y,
      comunas,
      5,
      100,
      rule,
      Array.from(y, () => false),
    );
    expect(none.precisionRatio).toEqual({ low: 1, high: 1 });
  });

  it('recomputes the per-comuna head in every resample: a larger share in a comuna raises recall', () => {
    const small = bootstrapHeadline(model, truth, y, comunas, 4, 200, () => 1);
    const large = bootstrapHeadline(model, truth, y, comunas, 4, 200, rule);
    // One child per comuna finds almost none of the positives; 5% and 2% heads find far more.
    expect(small.recallAtCapacity.high).toBeLessThan(large.recallAtCapacity.low);
  });
});

describe('calibrationFit', () => {
  it('recovers slope 1 and intercept 0 for the true probabilities', () => {
    const { truth, y } = cohort(20_000, 11);
    const fit = calibrationFit(truth, y);
    expect(fit.slope).toBeGreaterThan(0.85);
    expect(fit.slope).toBeLessThan(1.15);
    expect(Math.abs(fit.intercept)).toBeLessThan(0.25);
  });
});

describe('percentileInterval', () => {
  it('takes the 2.5th and 97.5th percentiles, leaving NaNs out', () => {
    const values = [...Array.from({ length: 1000 }, (_, i) => i), Number.NaN];
    expect(percentileInterval(values)).toEqual({ low: 25, high: 975 });
  });
});

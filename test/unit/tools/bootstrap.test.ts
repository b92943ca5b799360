import { describe, expect, it } from 'vitest';
import {
  bootstrapHeadline,
  calibrationFit,
  percentileInterval,
  seededRandom,
} from '../../../tools/train/bootstrap';
import { calibration } from '../../../tools/train/evaluation';
import { auc, precisionAtK } from '../../../tools/train/metrics';

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

describe('bootstrapHeadline', () => {
  const { truth, model, y } = cohort(4000, 7);

  it('gives the same intervals for the same seed, and others for another', () => {
    const a = bootstrapHeadline(model, truth, y, 80, 2024, 200);
    const b = bootstrapHeadline(model, truth, y, 80, 2024, 200);
    const c = bootstrapHeadline(model, truth, y, 80, 2025, 200);
    expect(b).toEqual(a);
    expect(c.auc).not.toEqual(a.auc);
  });

  it("contains the point estimates of the cohort's figures", () => {
    const iv = bootstrapHeadline(model, truth, y, 80, 1, 300);
    const pointAuc = auc(model, y);
    expect(iv.auc.low).toBeLessThanOrEqual(pointAuc);
    expect(iv.auc.high).toBeGreaterThanOrEqual(pointAuc);
    const precision = precisionAtK(model, y, 80);
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
    const iv = bootstrapHeadline(truth, truth, y, 80, 3, 100);
    expect(iv.aucGap).toEqual({ low: 0, high: 0 });
    expect(iv.precisionRatio).toEqual({ low: 1, high: 1 });
    // Resampled separately, the two AUCs would differ from draw to draw; jointly the gap is far
    // narrower than the AUC's own interval.
    const noisy = bootstrapHeadline(model, truth, y, 80, 3, 200);
    expect(noisy.aucGap.high - noisy.aucGap.low).toBeLessThan(noisy.auc.high - noisy.auc.low);
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

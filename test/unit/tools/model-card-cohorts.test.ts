import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../functions/score/domain/model-info';
import type { HeadlineIntervals } from '../../../tools/train/bootstrap';
import type { Evaluation, Scores, TestCohortEvaluation } from '../../../tools/train/model-card';
import { judgeTarget, modelCard, TARGETS } from '../../../tools/train/model-card';

const scores = (auc: number, precision: number): Scores => ({
  auc,
  prAuc: 0.25,
  precisionAtCapacity: precision,
  recallAtCapacity: precision / 2.5,
  ece: 0.004,
});

const intervals = (aucGapHigh: number): HeadlineIntervals => ({
  resamples: 1000,
  auc: { low: 0.8, high: 0.82 },
  aucGap: { low: 0.012, high: aucGapHigh },
  precisionAtCapacity: { low: 0.4, high: 0.47 },
  recallAtCapacity: { low: 0.15, high: 0.19 },
  precisionRatio: { low: 0.91, high: 1.01 },
  recallRatio: { low: 0.91, high: 1.01 },
  ece: { low: 0.002, high: 0.006 },
  calibrationSlope: { low: 0.95, high: 1.04 },
  calibrationIntercept: { low: -0.2, high: 0.05 },
});

const cohort = (seed: number, modelAuc: number, aucGapHigh: number): TestCohortEvaluation => ({
  cut: '2025-10',
  seed,
  rows: 39_000 + seed,
  baseRate: 0.047,
  model: scores(modelAuc, 0.43),
  oracle: scores(0.832, 0.46),
  calibrationFit: { slope: 0.99, intercept: -0.08 },
  intervals: intervals(aucGapHigh),
  capacities: [
    { comuna: '13101', children: 7600, capacity: 129 },
    { comuna: '16107', children: 440, capacity: 7 },
  ],
});

function evaluation(testCohorts: TestCohortEvaluation[], pooledGapHigh = 0.017): Evaluation {
  return {
    testRows: testCohorts.reduce((s, c) => s + c.rows, 0),
    baseRate: 0.047,
    model: scores(0.814, 0.43),
    oracle: scores(0.832, 0.46),
    modelCalibration: [],
    oracleCalibration: [],
    testCohorts,
    pooled: {
      rows: testCohorts.reduce((s, c) => s + c.rows, 0),
      selected: 1_998,
      calibrationFit: { slope: 0.97, intercept: -0.1 },
      intervals: intervals(pooledGapHigh),
    },
    temporal: {
      programComunas: [],
      programOpening: '2024-11',
      cohorts: [],
      stability: [],
      thresholds: { watch: 0.1, act: 0.25 },
    },
    comunas: [
      {
        comuna: '13101',
        share: 0.017,
        children: 22_800,
        capacities: [129, 130, 128],
        selected: 387,
        hits: 170,
        oracleHits: 180,
        interval: { low: 0.39, high: 0.49 },
        oracleInterval: { low: 0.41, high: 0.52 },
      },
    ],
    comunasSuppressed: [],
    audits: [],
    selected: 'logistic',
    selection: 'selected logistic',
    candidates: [],
    cohorts: [],
    features: [],
  };
}

const info: ModelInfo = {
  version: 'logistic-2024-00000000',
  features: ['edad'],
  ventileCutPoints: [],
  trainingDataSha256: '0'.repeat(64),
  weightsSha256: '0'.repeat(64),
  metrics: {},
  trainedOn: 'unit test',
};

describe('the model card on several test cohorts', () => {
  const cohorts = [cohort(2027, 0.814, 0.019), cohort(2028, 0.81, 0.023), cohort(2029, 0.816, 0.018)];
  const card = modelCard(info, evaluation(cohorts));

  it('shows every headline figure with its interval on each of the three cohorts, and their spread', () => {
    expect(card).toContain('## Performance on the 3 test cohorts');
    // AUC points 0.814, 0.810, 0.816: min–max 0.810–0.816, sample SD 0.003; pooled 0.814.
    expect(card).toContain(
      '| AUC | 0.814 (0.800–0.820) | 0.810 (0.800–0.820) | 0.816 (0.800–0.820) | 0.814 (0.800–0.820) | 0.810–0.816 | 0.003 |',
    );
    for (const figure of ['AUC gap to the oracle', 'precision at capacity / oracle', 'calibration intercept'])
      expect(card).toContain(`| ${figure}`);
  });

  it('judges a target on the pooled interval, and says on which cohort alone it misses and by how much', () => {
    expect(card).toContain('| figure | seed 2027 | seed 2028 | seed 2029 | pooled | spread | SD |');
    // Each cohort's point (oracle − model AUC) with its own interval.
    expect(card).toContain(
      '| AUC gap to the oracle (oracle − model) | 0.018 (0.012–0.019) | 0.022 (0.012–0.023) |',
    );
    expect(card).toContain(
      '| AUC gap to the oracle ≤ 0.02 | upper bound | 0.012–0.019 | 0.012–0.023 | 0.012–0.018 | 0.012–0.017 | met | misses on seed 2028 (upper bound 0.023, 0.003 over) |',
    );
    expect(card).toContain(
      "| precision at capacity ≥ 0.90 of the oracle's | lower bound | 0.910–1.010 | 0.910–1.010 | 0.910–1.010 | 0.910–1.010 | met | holds on every cohort |",
    );
    expect(card).toContain('One cohort selects about 666 children at capacity');
    const failing = modelCard(info, evaluation(cohorts, 0.021));
    expect(failing).toContain('| 0.012–0.021 | **not met** (upper bound 0.021, 0.001 over) |');
    const gap = TARGETS[0];
    expect(gap && judgeTarget(gap, intervals(0.019), [cohorts[1] as TestCohortEvaluation])).toEqual({
      met: true,
      failing: ['seed 2028 (upper bound 0.023, 0.003 over)'],
    });
    expect(gap && judgeTarget(gap, undefined, cohorts).met).toBe(false);
  });

  it("says the capacity rule, each comuna's share and its capacity in each cohort", () => {
    expect(card).toContain("per comuna, the head of the comuna's own ranking");
    expect(card).toContain('136 children (0.3%)');
    expect(card).toContain(
      '| Santiago (13101) | 1.7% | 22,800 | 129 / 130 / 128 | 387 | 43.9% (39.0–49.0) | 46.5% (41.0–52.0) |',
    );
    expect(card).toContain('No comuna suppressed');
  });
});

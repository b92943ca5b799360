import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OnnxModelRunner } from '../../../functions/score/adapters/onnx-model-runner';
import { FEATURE_COUNT, FEATURE_NAMES, ModelContractError } from '../../../functions/score/domain/features';
import { ModelLoadError } from '../../../functions/score/domain/model-info';
import { applyPlatt, fitPlatt, IDENTITY_SCALING } from '../../../tools/train/calibrate';
import { contributions, ensembleBias, fitGbt, predictLogit } from '../../../tools/train/gbt';
import { fitLogistic, logOddsRow, predictRow } from '../../../tools/train/logistic';
import { train } from '../../../tools/train/main';
import { auc, precisionAtK, ventileCutPoints } from '../../../tools/train/metrics';
import type { Candidate } from '../../../tools/train/onnx-export';
import { exportModelToOnnx } from '../../../tools/train/onnx-export';

const exportLogisticToOnnx = (model: ReturnType<typeof fitLogistic>, meta: typeof info): Uint8Array =>
  exportModelToOnnx({ kind: 'logistic', model }, IDENTITY_SCALING, meta).bytes;

function toyData(rows: number) {
  const x = new Float32Array(rows * FEATURE_COUNT);
  const y = new Uint8Array(rows);
  let s = 7;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < FEATURE_COUNT; j++) x[r * FEATURE_COUNT + j] = rand() * (j + 1);
    const a = x[r * FEATURE_COUNT] as number;
    const b = x[r * FEATURE_COUNT + 2] as number;
    // An interaction, so that trees have something a linear model misses.
    const z = -1 + 0.8 * a - 0.3 * b + (a > 0.5 && b > 1.5 ? 1.5 : 0);
    y[r] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

const info = {
  seed: 1,
  features: [...FEATURE_NAMES],
  ventileCutPoints: Array.from({ length: 19 }, (_, i) => (i + 1) / 20),
  trainingDataSha256: 'a'.repeat(64),
  metrics: { auc: 0.5 },
  trainedOn: 'unit test',
};

describe('ONNX export and scoring', () => {
  it('computes in ONNX the probability the fitted model computes, and contributions that sum to the log-odds', async () => {
    const { x, y } = toyData(400);
    const model = fitLogistic(x, y, 400, FEATURE_COUNT);
    const runner = await OnnxModelRunner.fromBytes(exportLogisticToOnnx(model, info));
    const out = await runner.run(x.slice(0, 5 * FEATURE_COUNT), 5);
    for (let r = 0; r < 5; r++) {
      expect(out.probability[r]).toBeCloseTo(predictRow(model, x, r * FEATURE_COUNT), 5);
      let logit = model.intercept;
      for (let j = 0; j < FEATURE_COUNT; j++) logit += out.contributions[r * FEATURE_COUNT + j] as number;
      expect(1 / (1 + Math.exp(-logit))).toBeCloseTo(out.probability[r] as number, 5);
    }
  });

  it('applies the Platt scaling to the probability and to every contribution alike', async () => {
    const { x, y } = toyData(400);
    const model = fitLogistic(x, y, 400, FEATURE_COUNT);
    const scaling = { slope: 0.8, intercept: 0.3 };
    const runner = await OnnxModelRunner.fromBytes(
      exportModelToOnnx({ kind: 'logistic', model }, scaling, info).bytes,
    );
    const out = await runner.run(x.slice(0, 5 * FEATURE_COUNT), 5);
    for (let r = 0; r < 5; r++) {
      const raw = logOddsRow(model, x, r * FEATURE_COUNT);
      expect(out.probability[r]).toBeCloseTo(1 / (1 + Math.exp(-(0.8 * raw + 0.3))), 5);
      let sum = 0;
      for (let j = 0; j < FEATURE_COUNT; j++) sum += out.contributions[r * FEATURE_COUNT + j] as number;
      expect(sum).toBeCloseTo(0.8 * (raw - model.intercept), 4);
    }
  });

  it('exports boosted trees whose ONNX probability and contributions match the trees walked in code', async () => {
    const { x, y } = toyData(3_000);
    const train = { x: x.slice(0, 2_000 * FEATURE_COUNT), y: y.slice(0, 2_000), rows: 2_000 };
    const valid = { x: x.slice(2_000 * FEATURE_COUNT), y: y.slice(2_000), rows: 1_000 };
    const model = fitGbt(train, valid, FEATURE_COUNT, {
      maxDepth: 3,
      learningRate: 0.1,
      maxRounds: 60,
      patience: 10,
      l2: 1,
      minChildHessian: 5,
      maxBins: 16,
    });
    expect(model.trees.length).toBeGreaterThan(5);
    const scaling = { slope: 1.1, intercept: -0.2 };
    const candidate: Candidate = { kind: 'trees', model };
    const runner = await OnnxModelRunner.fromBytes(exportModelToOnnx(candidate, scaling, info).bytes);
    const rows = 50;
    const out = await runner.run(valid.x.slice(0, rows * FEATURE_COUNT), rows);
    const mine = new Float64Array(FEATURE_COUNT);
    for (let r = 0; r < rows; r++) {
      const raw = predictLogit(model, valid.x, r * FEATURE_COUNT);
      expect(out.probability[r]).toBeCloseTo(1 / (1 + Math.exp(-(1.1 * raw - 0.2))), 5);
      mine.fill(0);
      contributions(model, valid.x, r * FEATURE_COUNT, mine);
      let sum = 0;
      for (let j = 0; j < FEATURE_COUNT; j++) {
        expect(out.contributions[r * FEATURE_COUNT + j]).toBeCloseTo(1.1 * (mine[j] as number), 4);
        sum += mine[j] as number;
      }
      // Saabas: the contributions and the bias add up to the log-odds exactly.
      expect(ensembleBias(model) + sum).toBeCloseTo(raw, 9);
    }
  });

  it('fits boosted trees that find the interaction a linear model misses', () => {
    const { x, y } = toyData(6_000);
    const split = (from: number, to: number) => ({
      x: x.slice(from * FEATURE_COUNT, to * FEATURE_COUNT),
      y: y.slice(from, to),
      rows: to - from,
    });
    const [tr, va, te] = [split(0, 3_000), split(3_000, 4_500), split(4_500, 6_000)];
    const trees = fitGbt(tr, va, FEATURE_COUNT);
    const linear = fitLogistic(tr.x, tr.y, tr.rows, FEATURE_COUNT);
    const score = (f: (o: number) => number) =>
      Float64Array.from({ length: te.rows }, (_, r) => f(r * FEATURE_COUNT));
    const treeAuc = auc(
      score((o) => predictLogit(trees, te.x, o)),
      te.y,
    );
    const linearAuc = auc(
      score((o) => logOddsRow(linear, te.x, o)),
      te.y,
    );
    expect(treeAuc).toBeGreaterThan(linearAuc);
  });

  it('calibrates log-odds by Platt scaling: recovers a known distortion', () => {
    const n = 20_000;
    let s = 11;
    const rand = () => {
      s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
      return s / 2 ** 31;
    };
    const logOdds = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const truth = -2 + 3 * rand();
      logOdds[i] = (truth - 0.5) / 2; // the model is over-shrunk and shifted
      y[i] = rand() < 1 / (1 + Math.exp(-truth)) ? 1 : 0;
    }
    const scaling = fitPlatt(logOdds, y);
    expect(scaling.slope).toBeCloseTo(2, 0);
    expect(scaling.intercept).toBeCloseTo(0.5, 0);
    const p = applyPlatt(scaling, logOdds);
    const mean = p.reduce((a, v) => a + v, 0) / n;
    expect(mean).toBeCloseTo(y.reduce((a, v) => a + v, 0) / n, 2);
  });

  it('refuses a model whose features differ from the catalogue, and one without metadata', async () => {
    const { x, y } = toyData(200);
    const model = fitLogistic(x, y, 200, FEATURE_COUNT);
    const reordered = { ...info, features: [...FEATURE_NAMES].reverse() };
    await expect(OnnxModelRunner.fromBytes(exportLogisticToOnnx(model, reordered))).rejects.toThrow(
      ModelContractError,
    );
    await expect(OnnxModelRunner.fromBytes(Buffer.from('not a model at all'))).rejects.toThrow(
      ModelLoadError,
    );
    await expect(OnnxModelRunner.load('/nonexistent/model.onnx')).rejects.toThrow(
      /cannot read the model file/,
    );
  });

  it('loads the committed model under the scoring contract', async () => {
    const runner = await OnnxModelRunner.fromBytes(await readFile('layers/model/risk-model.onnx'));
    expect(runner.info.features).toEqual(FEATURE_NAMES);
    expect(runner.info.ventileCutPoints).toHaveLength(19);
    expect(runner.info.metrics.auc).toBeGreaterThan(0.6);
  });
});

describe('training', () => {
  it('is deterministic for a seed and records metrics recomputed from its own test data', async () => {
    const a = await train({ seed: 5, children: 3_000 });
    const b = await train({ seed: 5, children: 3_000 });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    const c = await train({ seed: 6, children: 3_000 });
    expect(Buffer.from(a.bytes).equals(Buffer.from(c.bytes))).toBe(false);
    expect(a.info.metrics.auc).toBeGreaterThan(0.6);
    expect(a.info.metrics.oracle_auc).toBeGreaterThan(a.info.metrics.auc as number);
    expect(a.info.metrics.test_rows).toBeGreaterThan(1_000);
    // Temporal split: trained on the two earliest cuts, selected on the third, tested on three
    // independent populations at the last, every cohort with a seed of its own.
    expect(a.evaluation.cohorts.map((c) => `${c.cut}:${c.role}`)).toEqual([
      '2022-10:train',
      '2023-10:train',
      '2024-10:validation',
      '2025-10:test',
      '2025-10:test',
      '2025-10:test',
    ]);
    expect(new Set(a.evaluation.cohorts.map((c) => c.seed)).size).toBe(6);
    expect(a.evaluation.candidates.map((c) => c.name)).toEqual(['logistic', 'boosted_trees']);
    // The reported figures are recomputed from the cohorts the card says, not copied from elsewhere.
    expect(a.evaluation.testCohorts.map((t) => t.seed)).toEqual(
      a.evaluation.cohorts.slice(3).map((c) => c.seed),
    );
    a.evaluation.testCohorts.forEach((t, i) => {
      expect(t.model.auc).toBe(a.evaluation.cohorts[3 + i]?.model.auc);
      expect(t.model.precisionAtCapacity).toBe(a.evaluation.cohorts[3 + i]?.model.precisionAtCapacity);
    });
    expect(a.info.metrics.auc).toBeCloseTo(a.evaluation.model.auc, 4);
    expect(a.info.metrics.test_cohorts).toBe(3);
    expect(a.card.markdown).toContain(`| AUC | ${a.evaluation.model.auc.toFixed(3)} |`);
    expect(a.card.markdown).toContain(
      `| figure | ${a.evaluation.testCohorts.map((t) => `seed ${t.seed}`).join(' | ')} | pooled | spread | SD |`,
    );
    // The pooled evaluation covers every test child, each cohort's heads selected within it.
    expect(a.evaluation.pooled.rows).toBe(a.evaluation.testRows);
    expect(a.evaluation.pooled.selected).toBe(
      a.evaluation.testCohorts.reduce((s, t) => s + t.capacities.reduce((k, c) => k + c.capacity, 0), 0),
    );
  }, 240_000);
});

describe('metrics', () => {
  it('computes AUC by ranks with ties, precision at k and ventile cut points', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 10);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(precisionAtK([0.9, 0.8, 0.1, 0.7], [1, 0, 1, 1], 2)).toBe(0.5);
    const cuts = ventileCutPoints(Array.from({ length: 100 }, (_, i) => i / 100));
    expect(cuts).toHaveLength(19);
    expect(cuts[0]).toBeCloseTo(0.05, 10);
    expect(cuts[18]).toBeCloseTo(0.95, 10);
  });
});

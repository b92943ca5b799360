import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OnnxModelRunner } from '../../../functions/score/adapters/onnx-model-runner';
import { FEATURE_COUNT, FEATURE_NAMES, ModelContractError } from '../../../functions/score/domain/features';
import { ModelLoadError } from '../../../functions/score/domain/model-info';
import { fitLogistic, predictRow } from '../../../tools/train/logistic';
import { train } from '../../../tools/train/main';
import { auc, precisionAtK, ventileCutPoints } from '../../../tools/train/metrics';
import { exportLogisticToOnnx } from '../../../tools/train/onnx-export';

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
    const z = -1 + 0.8 * (x[r * FEATURE_COUNT] as number) - 0.3 * (x[r * FEATURE_COUNT + 2] as number);
    y[r] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

const info = {
  version: 'test-1',
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
  }, 120_000);
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

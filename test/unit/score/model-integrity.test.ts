/**
 * A model file cannot be swapped silently: each case edits a valid exported model's protobuf in one
 * respect and expects the loader to refuse it, naming the check that failed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxModelRunner } from '../../../functions/score/adapters/onnx-model-runner';
import type { OnnxTypes } from '../../../functions/score/adapters/onnx-proto';
import { onnx } from '../../../functions/score/adapters/onnx-proto';
import { graphWeightsSha256 } from '../../../functions/score/adapters/onnx-weights';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../functions/score/domain/features';
import {
  MODEL_METADATA_KEYS,
  ModelIntegrityError,
  ModelLoadError,
} from '../../../functions/score/domain/model-info';
import { IDENTITY_SCALING } from '../../../tools/train/calibrate';
import { fitGbt } from '../../../tools/train/gbt';
import { fitLogistic } from '../../../tools/train/logistic';
import { exportModelToOnnx } from '../../../tools/train/onnx-export';

const declared = {
  seed: 7,
  features: [...FEATURE_NAMES],
  ventileCutPoints: Array.from({ length: 19 }, (_, i) => (i + 1) / 20),
  trainingDataSha256: 'a'.repeat(64),
  metrics: { auc: 0.5 },
  trainedOn: 'unit test',
};
let valid: Uint8Array;
let trainingData: { x: Float32Array; y: Uint8Array; rows: number };

beforeAll(() => {
  const rows = 200;
  const x = new Float32Array(rows * FEATURE_COUNT);
  const y = new Uint8Array(rows);
  let s = 3;
  const rand = (): number => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let i = 0; i < x.length; i++) x[i] = rand();
  for (let r = 0; r < rows; r++) y[r] = rand() < (x[r * FEATURE_COUNT] as number) ? 1 : 0;
  trainingData = { x, y, rows };
  valid = exportModelToOnnx(
    { kind: 'logistic', model: fitLogistic(x, y, rows, FEATURE_COUNT) },
    IDENTITY_SCALING,
    {
      seed: 7,
      features: [...FEATURE_NAMES],
      ventileCutPoints: Array.from({ length: 19 }, (_, i) => (i + 1) / 20),
      trainingDataSha256: 'a'.repeat(64),
      metrics: { auc: 0.5 },
      trainedOn: 'unit test',
    },
  ).bytes;
});

/** The valid model, decoded, edited by `edit`, encoded again. */
function edited(edit: (model: OnnxTypes.ModelProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(valid);
  edit(model);
  return onnx.ModelProto.encode(model).finish();
}

function setMeta(model: OnnxTypes.ModelProto, key: string, value: string | undefined): void {
  const others = model.metadataProps.filter((p) => p.key !== key);
  model.metadataProps =
    value === undefined ? others : [...others, onnx.StringStringEntryProto.create({ key, value })];
}

function meta(model: OnnxTypes.ModelProto, key: string): string {
  return model.metadataProps.find((p) => p.key === key)?.value ?? '';
}

/** Records the graph's actual hash in the metadata and the version, as an honest export would. */
function resign(model: OnnxTypes.ModelProto): void {
  const hash = graphWeightsSha256(model.graph as OnnxTypes.GraphProto);
  setMeta(model, MODEL_METADATA_KEYS.weightsSha256, hash);
  setMeta(model, MODEL_METADATA_KEYS.version, `logistic-7-${hash.slice(0, 8)}`);
}

function otherWeights(model: OnnxTypes.ModelProto): void {
  for (const tensor of model.graph?.initializer ?? []) {
    const values = tensor.floatData;
    if ((tensor.name === 'weight_row' || tensor.name === 'weight_col') && values?.length)
      values[0] = (values[0] as number) + 1;
  }
}

const refusal = (bytes: Uint8Array) => expect(OnnxModelRunner.fromBytes(bytes)).rejects;

describe('loading a model checks that its file holds together', () => {
  it('loads the model as exported, whose version ends in its weights hash', async () => {
    const runner = await OnnxModelRunner.fromBytes(valid);
    expect(runner.info.version).toBe(`logistic-7-${runner.info.weightsSha256.slice(0, 8)}`);
  });

  it('refuses other weights under the same version and metadata', async () => {
    const bytes = edited(otherWeights);
    await refusal(bytes).toThrow(ModelIntegrityError);
    await refusal(bytes).toThrow(ModelLoadError);
    await refusal(bytes).toThrow(
      /fails its weights hash check: expected weights with SHA-256 [0-9a-f]{64} \(metadata\), found [0-9a-f]{64} in the graph/,
    );
  });

  it('refuses boosted trees whose leaf weights, kept in node attributes, were changed', async () => {
    const { x, y, rows } = trainingData;
    const half = { x: x.slice(0, (rows / 2) * FEATURE_COUNT), y: y.slice(0, rows / 2), rows: rows / 2 };
    const rest = { x: x.slice((rows / 2) * FEATURE_COUNT), y: y.slice(rows / 2), rows: rows / 2 };
    const trees = fitGbt(half, rest, FEATURE_COUNT, {
      maxDepth: 2,
      learningRate: 0.1,
      maxRounds: 5,
      patience: 5,
      l2: 1,
      minChildHessian: 1,
      maxBins: 8,
    });
    const exported = exportModelToOnnx({ kind: 'trees', model: trees }, IDENTITY_SCALING, declared);
    expect((await OnnxModelRunner.fromBytes(exported.bytes)).info.version).toMatch(/^gbt-7-[0-9a-f]{8}$/);
    const model = onnx.ModelProto.decode(exported.bytes);
    const weights = model.graph?.node
      ?.find((n) => n.opType === 'TreeEnsembleRegressor')
      ?.attribute?.find((a) => a.name === 'target_weights')?.floats;
    if (!weights?.length) throw new Error('the exported trees have no target weights');
    weights[0] = (weights[0] as number) + 1;
    await refusal(onnx.ModelProto.encode(model).finish()).toThrow(/fails its weights hash check/);
  });

  it('refuses other weights whose hash was recorded but whose version was kept', async () => {
    const bytes = edited((m) => {
      const version = meta(m, MODEL_METADATA_KEYS.version);
      otherWeights(m);
      resign(m);
      setMeta(m, MODEL_METADATA_KEYS.version, version);
    });
    await refusal(bytes).toThrow(
      /fails its version against weights check: expected version ending in [0-9a-f]{8}/,
    );
  });

  it('refuses a graph whose input width is not the feature count', async () => {
    const bytes = edited((m) => {
      const dim = m.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.[1];
      if (dim) dim.dimValue = FEATURE_COUNT - 1;
      resign(m);
    });
    await refusal(bytes).toThrow(
      `fails its input width check: expected ${FEATURE_COUNT} (the metadata's feature count), found ${FEATURE_COUNT - 1} in the graph's input`,
    );
  });

  it('refuses ventile cut points out of order, out of [0, 1] or not 19', async () => {
    const cuts = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);
    const withCuts = (c: number[]) =>
      edited((m) => setMeta(m, MODEL_METADATA_KEYS.ventileCutPoints, JSON.stringify(c)));
    const swapped = [...cuts];
    [swapped[3], swapped[4]] = [cuts[4] as number, cuts[3] as number];
    await refusal(withCuts(swapped)).toThrow(
      'fails its ventile cut points check: expected ascending cut points (position 4 at least 0.25), found 0.2',
    );
    await refusal(withCuts([...cuts.slice(0, 18), 1.5])).toThrow(
      'fails its ventile cut points check: expected probabilities in [0, 1], found 1.5 at position 18',
    );
    await refusal(withCuts(cuts.slice(1))).toThrow(
      'fails its ventile cut points check: expected 19 cut points, found 18',
    );
  });

  it('refuses a malformed version string', async () => {
    for (const version of [
      'test-1',
      'logistic-2024-F778A011',
      'logistic-2024-f778a01',
      'forest-1-f778a011',
    ]) {
      await refusal(edited((m) => setMeta(m, MODEL_METADATA_KEYS.version, version))).toThrow(
        `fails its version format check: expected "<logistic|gbt>-<seed>-<8 hex digits of the weights SHA-256>", found "${version}"`,
      );
    }
  });

  it('refuses a model without a weights hash, or with one that is not a SHA-256', async () => {
    await refusal(edited((m) => setMeta(m, MODEL_METADATA_KEYS.weightsSha256, undefined))).toThrow(
      'fails its metadata check: expected an entry "san.weights_sha256", found none',
    );
    await refusal(edited((m) => setMeta(m, MODEL_METADATA_KEYS.weightsSha256, 'abc'))).toThrow(
      /fails its weights hash check: expected a SHA-256 in hex/,
    );
  });
});

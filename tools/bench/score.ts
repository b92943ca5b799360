/**
 * `npm run bench:score`: children scored per second on one core by the deployed ONNX model through
 * onnxruntime-node (in batches, as the score function runs it), against the same arithmetic in a
 * plain typed-array loop, in the same process and on the same rows. For the logistic model that is
 * standardise, per-feature contributions, log-odds; for boosted trees, a walk of every tree adding
 * its leaf's contributions; then the Platt scaling and the sigmoid. Also: the score function's
 * per-child work after inference (ventile and top three reasons in words).
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { z } from 'zod';
import { OnnxModelRunner } from '../../functions/score/adapters/onnx-model-runner';
import type { OnnxTypes } from '../../functions/score/adapters/onnx-proto';
import { onnx } from '../../functions/score/adapters/onnx-proto';
import { FEATURE_COUNT } from '../../functions/score/domain/features';
import { topReasons, ventileOf } from '../../functions/score/domain/prioritise';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { generateCut } from '../generate/generator';
import { parseFlags, runMain } from '../lib/cli-args';
import { buildDataset } from '../train/dataset';

const schema = z.object({
  rows: z.coerce.number().int().min(10_000).max(5_000_000).default(500_000),
  batch: z.coerce.number().int().min(1).max(100_000).default(2048),
  repeat: z.coerce.number().int().min(1).max(20).default(5),
  model: z.string().min(1).default('layers/model/risk-model.onnx'),
});

function initializer(model: OnnxTypes.ModelProto, name: string): Float32Array {
  const t = model.graph?.initializer?.find((i: OnnxTypes.ITensorProto) => i.name === name);
  if (!t?.floatData) throw new Error(`the model has no initializer ${name}`);
  return Float32Array.from(t.floatData);
}

/** Adds one row's raw contributions into `out` and returns its raw log-odds. */
type RawScorer = (x: Float32Array, offset: number, out: Float32Array) => number;

function logisticScorer(model: OnnxTypes.ModelProto): RawScorer {
  const mean = initializer(model, 'mean');
  const scale = initializer(model, 'scale');
  const weights = initializer(model, 'weight_row');
  const intercept = initializer(model, 'intercept')[0] as number;
  return (x, o, out) => {
    let logit = intercept;
    for (let j = 0; j < FEATURE_COUNT; j++) {
      const c =
        (((x[o + j] as number) - (mean[j] as number)) / (scale[j] as number)) * (weights[j] as number);
      out[j] = c;
      logit += c;
    }
    return logit;
  };
}

function treeScorer(model: OnnxTypes.ModelProto): RawScorer {
  const node = model.graph?.node?.find((n) => n.opType === 'TreeEnsembleRegressor');
  const attr = (name: string) => node?.attribute?.find((a) => a.name === name);
  const ints = (name: string): number[] => (attr(name)?.ints ?? []).map(Number);
  const treeIds = ints('nodes_treeids');
  const nodeIds = ints('nodes_nodeids');
  const featureIds = ints('nodes_featureids');
  const trueIds = ints('nodes_truenodeids');
  const falseIds = ints('nodes_falsenodeids');
  const thresholds = Float32Array.from(attr('nodes_values')?.floats ?? []);
  const leaf = (attr('nodes_modes')?.strings ?? []).map((m) => Buffer.from(m).toString() === 'LEAF');
  const bias = initializer(model, 'bias')[0] as number;
  // Flat arrays indexed by position; children resolved from (tree, node id) to position.
  const position = new Map<string, number>();
  for (const [i, t] of treeIds.entries()) position.set(`${t}:${nodeIds[i]}`, i);
  const left = Int32Array.from(treeIds, (t, i) => position.get(`${t}:${trueIds[i]}`) ?? -1);
  const right = Int32Array.from(treeIds, (t, i) => position.get(`${t}:${falseIds[i]}`) ?? -1);
  const roots = [...new Set(treeIds)].map((t) => position.get(`${t}:0`) as number);
  const targets = new Map<number, { feature: number; weight: number }[]>();
  const targetTrees = ints('target_treeids');
  const targetNodes = ints('target_nodeids');
  const targetIds = ints('target_ids');
  const targetWeights = attr('target_weights')?.floats ?? [];
  targetTrees.forEach((t, i) => {
    const at = position.get(`${t}:${targetNodes[i]}`) as number;
    const list = targets.get(at) ?? [];
    list.push({ feature: targetIds[i] as number, weight: Math.fround(targetWeights[i] as number) });
    targets.set(at, list);
  });
  const leafFeatures = new Map([...targets].map(([k, v]) => [k, Int32Array.from(v, (e) => e.feature)]));
  const leafWeights = new Map([...targets].map(([k, v]) => [k, Float32Array.from(v, (e) => e.weight)]));
  return (x, o, out) => {
    out.fill(0);
    let logit = bias;
    for (const root of roots) {
      let n = root;
      while (!leaf[n])
        n =
          (x[o + (featureIds[n] as number)] as number) <= (thresholds[n] as number)
            ? (left[n] as number)
            : (right[n] as number);
      const features = leafFeatures.get(n);
      const weights = leafWeights.get(n);
      if (!features || !weights) continue;
      for (let k = 0; k < features.length; k++) {
        out[features[k] as number] = (out[features[k] as number] as number) + (weights[k] as number);
        logit += weights[k] as number;
      }
    }
    return logit;
  };
}

runMain(async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      rows: { type: 'string', description: 'children to score per repetition (default 500000)' },
      batch: { type: 'string', description: 'batch size (default 2048, as the score function)' },
      repeat: { type: 'string', description: 'repetitions; the best is reported (default 5)' },
      model: {
        type: 'string',
        description: 'the ONNX model (default the deployed layers/model/risk-model.onnx)',
      },
    },
    schema,
    'usage: npm run bench:score -- [flags]',
  );
  const bytes = readFileSync(flags.model);
  const runner = await OnnxModelRunner.fromBytes(bytes);
  const proto = onnx.ModelProto.decode(bytes);
  const scorer = proto.graph?.node?.some((n) => n.opType === 'TreeEnsembleRegressor')
    ? treeScorer(proto)
    : logisticScorer(proto);
  const slope = initializer(proto, 'platt_slope')[0] as number;
  const shift = initializer(proto, 'platt_intercept')[0] as number;

  // Real indicator rows from a generated cohort, tiled to the requested count.
  const sample = await buildDataset(
    generateCut({ children: 20_000, seed: 3, cut: '2026-10' }),
    createPseudonymiser('cd'.repeat(32)),
  );
  const x = new Float32Array(flags.rows * FEATURE_COUNT);
  for (let r = 0; r < flags.rows; r++) {
    const from = (r % sample.rows) * FEATURE_COUNT;
    x.set(sample.x.subarray(from, from + FEATURE_COUNT), r * FEATURE_COUNT);
  }

  const best = async (run: () => Promise<number> | number): Promise<{ seconds: number; check: number }> => {
    let seconds = Number.POSITIVE_INFINITY;
    let check = 0;
    for (let i = 0; i < flags.repeat; i++) {
      const start = process.hrtime.bigint();
      check = await run();
      seconds = Math.min(seconds, Number(process.hrtime.bigint() - start) / 1e9);
    }
    return { seconds, check };
  };

  const onnxRun = await best(async () => {
    let sum = 0;
    for (let start = 0; start < flags.rows; start += flags.batch) {
      const n = Math.min(flags.batch, flags.rows - start);
      const out = await runner.run(x.subarray(start * FEATURE_COUNT, (start + n) * FEATURE_COUNT), n);
      sum += out.probability[0] as number;
    }
    return sum;
  });

  const contributions = new Float32Array(FEATURE_COUNT);
  const loopRun = await best(() => {
    let sum = 0;
    for (let start = 0; start < flags.rows; start += flags.batch) {
      const n = Math.min(flags.batch, flags.rows - start);
      for (let r = 0; r < n; r++) {
        const logit = scorer(x, (start + r) * FEATURE_COUNT, contributions) * slope + shift;
        for (let j = 0; j < FEATURE_COUNT; j++) contributions[j] = (contributions[j] as number) * slope;
        const p = 1 / (1 + Math.exp(-logit));
        if (r === 0) sum += p;
      }
    }
    return sum;
  });

  // Agreement of the two on the first batch.
  const first = await runner.run(x.subarray(0, flags.batch * FEATURE_COUNT), flags.batch);
  let maxDiff = 0;
  for (let r = 0; r < flags.batch; r++) {
    const logit = scorer(x, r * FEATURE_COUNT, contributions) * slope + shift;
    maxDiff = Math.max(maxDiff, Math.abs(1 / (1 + Math.exp(-logit)) - (first.probability[r] as number)));
  }

  const explained = await best(async () => {
    let v = 0;
    for (let start = 0; start < flags.rows; start += flags.batch) {
      const n = Math.min(flags.batch, flags.rows - start);
      const input = x.subarray(start * FEATURE_COUNT, (start + n) * FEATURE_COUNT);
      const out = await runner.run(input, n);
      for (let r = 0; r < n; r++) {
        v += ventileOf(out.probability[r] as number, runner.info.ventileCutPoints);
        topReasons(
          out.contributions.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT),
          input.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT),
          '2026-10',
        );
      }
    }
    return v;
  });

  const rate = (s: number): string => Math.round(flags.rows / s).toLocaleString('en');
  process.stdout.write(
    [
      `Score benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, ` +
        `${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, model ${runner.info.version}, ` +
        `${flags.rows.toLocaleString('en')} children, batch ${flags.batch}, best of ${flags.repeat}`,
      '',
      '| path | children/s (1 core) | ratio to the typed-array loop |',
      '|---|---:|---:|',
      `| typed-array loop (same arithmetic) | ${rate(loopRun.seconds)} | 1.000 |`,
      `| ONNX Runtime, batch inference | ${rate(onnxRun.seconds)} | ${(loopRun.seconds / onnxRun.seconds).toFixed(3)} |`,
      `| ONNX Runtime + ventile + top three reasons | ${rate(explained.seconds)} | ${(loopRun.seconds / explained.seconds).toFixed(3)} |`,
      '',
      `Largest difference between the two probabilities on the first batch: ${maxDiff.toExponential(2)}.`,
      '',
    ].join('\n'),
  );
});

/**
 * `npm run train`: generates past cohorts with known outcomes, fits the risk model on the earlier
 * one, evaluates it on the later one beside the oracle (the true probabilities), and exports it to
 * ONNX in `layers/model/risk-model.onnx`. Deterministic for a given seed.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { OnnxModelRunner } from '../../functions/score/adapters/onnx-model-runner';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../functions/score/domain/features';
import type { ModelInfo } from '../../functions/score/domain/model-info';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { generateCut } from '../generate/generator';
import { parseFlags, runMain } from '../lib/cli-args';
import type { AuditAttribute } from './dataset';
import { buildDataset, MODEL_SOURCES } from './dataset';
import { auditAttribute, calibration, prAuc, recallAtK, topK } from './evaluation';
import { fitLogistic, predictRow } from './logistic';
import { auc, precisionAtK, ventileCutPoints } from './metrics';
import type { Evaluation } from './model-card';
import { calibrationSvg, modelCard } from './model-card';
import { exportLogisticToOnnx } from './onnx-export';

export const DEFAULT_MODEL_PATH = 'layers/model/risk-model.onnx';

const schema = z.object({
  seed: z.coerce.number().int().min(0).default(2024),
  children: z.coerce.number().int().min(2_000).max(2_000_000).default(60_000),
  out: z.string().min(1).default(DEFAULT_MODEL_PATH),
});

export interface TrainResult {
  readonly bytes: Uint8Array;
  readonly info: ModelInfo;
  readonly evaluation: Evaluation;
  /** MODEL_CARD.md and the plot it shows, written beside the model. */
  readonly card: { readonly markdown: string; readonly calibrationSvg: string };
}

/** Trains and exports; the same options give byte-identical output. */
export async function train(options: { seed: number; children: number }): Promise<TrainResult> {
  // The pseudonymisation key only joins sources within this run; it is derived from the seed.
  const pseudonymiser = createPseudonymiser(
    createHash('sha256').update(`train-key-${options.seed}`).digest('hex'),
  );
  const trainCut = generateCut({ children: options.children, seed: options.seed, cut: '2024-10' });
  const testCut = generateCut({
    children: Math.round(options.children / 2),
    seed: options.seed + 1,
    cut: '2025-10',
  });
  const hash = createHash('sha256');
  // The hash identifies the data the model was fitted on: the files of the sources it reads.
  for (const f of trainCut.files) if (MODEL_SOURCES.includes(f.source)) hash.update(f.bytes);
  const trainSet = await buildDataset(trainCut, pseudonymiser);
  const testSet = await buildDataset(testCut, pseudonymiser);
  const model = fitLogistic(trainSet.x, trainSet.y, trainSet.rows, FEATURE_COUNT);

  const predict = (set: typeof trainSet): Float64Array => {
    const out = new Float64Array(set.rows);
    for (let r = 0; r < set.rows; r++) out[r] = predictRow(model, set.x, r * FEATURE_COUNT);
    return out;
  };
  const trainScores = predict(trainSet);
  const testScores = predict(testSet);
  // OLN capacity: the pilot served about 3,440 interventions a year for some 200,000 children, so
  // the roster's actionable head is about the top 2% of a comuna.
  const capacity = Math.max(1, Math.round(testSet.rows * 0.02));
  const round = (v: number): number => Math.round(v * 10_000) / 10_000;
  const modelCalibration = calibration(testScores, testSet.y);
  const oracleCalibration = calibration(testSet.oracle, testSet.y);
  const selected = topK(testScores, capacity);
  const evaluation: Evaluation = {
    testRows: testSet.rows,
    baseRate: testSet.y.reduce((s, v) => s + v, 0) / testSet.rows,
    capacity,
    capacityShare: 0.02,
    model: {
      auc: auc(testScores, testSet.y),
      prAuc: prAuc(testScores, testSet.y),
      precisionAtCapacity: precisionAtK(testScores, testSet.y, capacity),
      recallAtCapacity: recallAtK(testScores, testSet.y, capacity),
      ece: modelCalibration.ece,
    },
    oracle: {
      auc: auc(testSet.oracle, testSet.y),
      prAuc: prAuc(testSet.oracle, testSet.y),
      precisionAtCapacity: precisionAtK(testSet.oracle, testSet.y, capacity),
      recallAtCapacity: recallAtK(testSet.oracle, testSet.y, capacity),
      ece: oracleCalibration.ece,
    },
    modelCalibration: modelCalibration.bins,
    oracleCalibration: oracleCalibration.bins,
    audits: (Object.keys(testSet.groups) as AuditAttribute[]).map((attribute) =>
      auditAttribute(attribute, testSet.groups[attribute], testSet.y, selected),
    ),
  };
  const metrics = {
    test_rows: testSet.rows,
    train_rows: trainSet.rows,
    auc: round(evaluation.model.auc),
    oracle_auc: round(evaluation.oracle.auc),
    precision_at_capacity: round(evaluation.model.precisionAtCapacity),
    oracle_precision_at_capacity: round(evaluation.oracle.precisionAtCapacity),
    capacity_share: evaluation.capacityShare,
    base_rate: round(evaluation.baseRate),
    iterations: model.iterations,
  };
  const info: ModelInfo = {
    version: `logistic-${options.seed}-${createHash('sha256')
      .update(Buffer.from(Float64Array.from(model.weights).buffer))
      .digest('hex')
      .slice(0, 8)}`,
    features: [...FEATURE_NAMES],
    ventileCutPoints: ventileCutPoints(trainScores),
    trainingDataSha256: hash.digest('hex'),
    metrics,
    trainedOn: `train cut ${trainCut.cut} (seed ${options.seed}); test cut ${testCut.cut} (seed ${options.seed + 1})`,
  };
  return {
    bytes: exportLogisticToOnnx(model, info),
    info,
    evaluation,
    card: {
      markdown: modelCard(info, model, evaluation),
      calibrationSvg: calibrationSvg(modelCalibration.bins, oracleCalibration.bins),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runMain(async () => {
    const flags = parseFlags(
      process.argv.slice(2),
      {
        seed: { type: 'string', description: 'random seed of the training cohorts (default 2024)' },
        children: { type: 'string', description: 'children in the training cohort (default 60000)' },
        out: { type: 'string', description: `where to write the ONNX model (default ${DEFAULT_MODEL_PATH})` },
      },
      schema,
      'usage: npm run train -- [flags]',
    );
    const result = await train(flags);
    await OnnxModelRunner.fromBytes(result.bytes); // the exported model must load under the scoring contract
    await mkdir(dirname(flags.out), { recursive: true });
    await writeFile(flags.out, result.bytes);
    await writeFile(join(dirname(flags.out), 'MODEL_CARD.md'), result.card.markdown);
    await writeFile(join(dirname(flags.out), 'calibration.svg'), result.card.calibrationSvg);
    const e = result.evaluation;
    process.stdout.write(
      `model ${result.info.version} written to ${flags.out}; card in ${join(dirname(flags.out), 'MODEL_CARD.md')}\n` +
        `AUC ${e.model.auc.toFixed(3)} (oracle ${e.oracle.auc.toFixed(3)}), precision at capacity ` +
        `${e.model.precisionAtCapacity.toFixed(3)} (oracle ${e.oracle.precisionAtCapacity.toFixed(3)}), ECE ${e.model.ece.toFixed(3)}\n`,
    );
  });
}

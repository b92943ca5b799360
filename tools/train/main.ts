/**
 * `npm run train`: generates yearly cohorts with known outcomes and trains the risk model with a
 * temporal split — fitted on the two earliest, compared and calibrated on the third, reported on
 * three independent populations at the latest cut — then exports the selected model to ONNX in
 * `layers/model/risk-model.onnx` with its model card. Deterministic for a given seed.
 *
 * Two candidates are fitted on the training cohorts: an L2-regularised logistic regression (whose
 * per-feature contributions are exact) and gradient-boosted trees (early-stopped on the validation
 * cohort). Each gets a Platt scaling fitted on the validation cohort. The selection is by precision
 * at each comuna's OLN capacity (the head of each comuna's own ranking at its configured share, the
 * rule production uses) on the validation cohort; the trees replace the logistic regression only if
 * they beat it there by more than one standard error of that precision, since the simpler model's
 * reasons are easier to defend in front of a family.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { demotionOf } from '../../functions/roster/domain/head-rule';
import { OnnxModelRunner } from '../../functions/score/adapters/onnx-model-runner';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../functions/score/domain/features';
import type { ModelInfo } from '../../functions/score/domain/model-info';
import { capacityFor } from '../../functions/shared/domain/oln-capacity';
import { PRIORITISATION } from '../../functions/shared/domain/prioritisation';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import type { GeneratedCut } from '../generate/generator';
import { generateCut } from '../generate/generator';
import { parseFlags, runMain, UsageError } from '../lib/cli-args';
import { measureAssociation, reasonsOfRows } from './association';
import { BOOTSTRAP_RESAMPLES } from './bootstrap';
import type { PlattScaling } from './calibrate';
import { applyPlatt, fitPlatt } from './calibrate';
import type { AuditAttribute, Dataset } from './dataset';
import { buildDataset, MODEL_SOURCES } from './dataset';
import {
  auditAttribute,
  calibration,
  selectAtCapacity,
  selectionScores,
  stratifiedPrecisionError,
} from './evaluation';
import { DEFAULT_GBT, fitGbt, predictLogit, contributions as treeContributions } from './gbt';
import { fitLogistic, logOddsRow } from './logistic';
import { ventileCutPoints } from './metrics';
import type { CandidateSummary, CohortSummary, Evaluation, FeatureImportance } from './model-card';
import { calibrationSvg, modelCard } from './model-card';
import type { Candidate } from './onnx-export';
import { exportModelToOnnx } from './onnx-export';
import { temporalValidation } from './temporal';
import {
  comunaPrecision,
  evaluatePooled,
  evaluateTestCohort,
  scoresAt,
  scoresAtCapacity,
} from './test-cohorts';

export const DEFAULT_MODEL_PATH = 'layers/model/risk-model.onnx';

/** Independent test cohorts: fresh populations at the test cut, each with a seed no other cohort uses. */
export const TEST_COHORTS = 3;

/** The options the committed model was trained with. */
export const DEFAULT_TRAINING = { seed: 2024, children: 40_000 } as const;

const schema = z.object({
  seed: z.coerce.number().int().min(0).default(DEFAULT_TRAINING.seed),
  children: z.coerce.number().int().min(2_000).max(2_000_000).default(DEFAULT_TRAINING.children),
  out: z.string().min(1).default(DEFAULT_MODEL_PATH),
  candidate: z.enum(['auto', 'logistic', 'boosted_trees']).default('auto'),
});

/**
 * Which candidate is exported: `auto` selects by validation precision at capacity (the committed
 * model); naming one exports it regardless, to compare or benchmark it.
 */
export type CandidateChoice = z.infer<typeof schema>['candidate'];

export interface Cohort {
  readonly role: 'train' | 'validation' | 'test';
  readonly cut: string;
  readonly seed: number;
  readonly children: number;
}

/**
 * Four yearly cuts, each cohort a fresh synthetic population observed at the end of October: two to
 * train on, one to validate on, and `TEST_COHORTS` independent populations at the latest cut to test
 * on, every cohort with a seed of its own.
 */
export function cohortsFor(seed: number, children: number): readonly Cohort[] {
  return [
    { role: 'train', cut: '2022-10', seed, children },
    { role: 'train', cut: '2023-10', seed: seed + 1, children },
    { role: 'validation', cut: '2024-10', seed: seed + 2, children },
    ...Array.from({ length: TEST_COHORTS }, (_, i) => ({
      role: 'test' as const,
      cut: '2025-10',
      seed: seed + 3 + i,
      children,
    })),
  ];
}

export interface TrainResult {
  readonly bytes: Uint8Array;
  readonly info: ModelInfo;
  readonly evaluation: Evaluation;
  /** MODEL_CARD.md and the plot it shows, written beside the model. */
  readonly card: { readonly markdown: string; readonly calibrationSvg: string };
}

interface Fitted {
  readonly name: CandidateSummary['name'];
  readonly candidate: Candidate;
  /** Raw (uncalibrated) log-odds of every row of a set. */
  readonly logOdds: (set: Dataset) => Float64Array;
  /** Raw per-feature contributions of one row, added into `out`. */
  readonly contributions: (set: Dataset, row: number, out: Float64Array) => void;
  readonly detail: string;
}

function concat(sets: readonly Dataset[]): Dataset {
  const rows = sets.reduce((s, d) => s + d.rows, 0);
  const x = new Float32Array(rows * FEATURE_COUNT);
  const y = new Uint8Array(rows);
  const oracle = new Float64Array(rows);
  let at = 0;
  for (const d of sets) {
    x.set(d.x, at * FEATURE_COUNT);
    y.set(d.y, at);
    oracle.set(d.oracle, at);
    at += d.rows;
  }
  const groups = Object.fromEntries(
    (Object.keys(sets[0]?.groups ?? {}) as AuditAttribute[]).map((a) => [
      a,
      sets.flatMap((d) => d.groups[a]),
    ]),
  ) as unknown as Dataset['groups'];
  return {
    rows,
    x,
    y,
    oracle,
    childIds: sets.flatMap((d) => d.childIds),
    comunas: sets.flatMap((d) => d.comunas),
    groups,
  };
}

/**
 * The test cohorts' selection at capacity, concatenated in the order `concat` pools them: each
 * cohort is its own roster, its comunas' heads taken within it.
 */
function pooledSelection(
  probabilities: ArrayLike<number>,
  sets: readonly Dataset[],
  demoted?: ArrayLike<boolean>,
): Uint8Array {
  const out = new Uint8Array(sets.reduce((s, d) => s + d.rows, 0));
  let at = 0;
  for (const set of sets) {
    const start = at;
    const part = <T>(all: ArrayLike<T>): T[] =>
      Array.from({ length: set.rows }, (_, i) => all[start + i] as T);
    out.set(selectAtCapacity(part(probabilities), set.comunas, capacityFor, demoted && part(demoted)), at);
    at += set.rows;
  }
  return out;
}

/** Each feature's contribution to the calibrated log-odds of a row of `set`, written into `out`. */
function calibratedContributions(
  model: { readonly fitted: Fitted; readonly scaling: PlattScaling },
  set: Dataset,
): (row: number, out: Float64Array) => void {
  return (row, out) => {
    model.fitted.contributions(set, row, out);
    for (let j = 0; j < FEATURE_COUNT; j++) out[j] = (out[j] as number) * model.scaling.slope;
  };
}

const baseRate = (set: Dataset): number => set.y.reduce((s, v) => s + v, 0) / set.rows;

/** One value per row of the set, from the row's features at `offset` in `x`. */
function perRow(set: Dataset, value: (x: Float32Array, offset: number) => number): Float64Array {
  const out = new Float64Array(set.rows);
  for (let r = 0; r < set.rows; r++) out[r] = value(set.x, r * FEATURE_COUNT);
  return out;
}

/** Trains and exports; the same options give byte-identical output. */
export async function train(options: {
  seed: number;
  children: number;
  candidate?: CandidateChoice;
}): Promise<TrainResult> {
  // The pseudonymisation key only joins sources within this run; it is derived from the seed.
  const pseudonymiser = createPseudonymiser(
    createHash('sha256').update(`train-key-${options.seed}`).digest('hex'),
  );
  const cohorts = cohortsFor(options.seed, options.children);
  const hash = createHash('sha256');
  const built: { cohort: Cohort; set: Dataset }[] = [];
  for (const cohort of cohorts) {
    const generated: GeneratedCut = generateCut({
      children: cohort.children,
      seed: cohort.seed,
      cut: cohort.cut,
    });
    // The hash identifies the data the model was fitted on: the training files of the sources it reads.
    if (cohort.role === 'train')
      for (const f of generated.files)
        if ((MODEL_SOURCES as readonly string[]).includes(f.source)) hash.update(f.bytes);
    built.push({ cohort, set: await buildDataset(generated, pseudonymiser) });
  }
  const setsOf = (role: Cohort['role']): Dataset[] =>
    built.filter((b) => b.cohort.role === role).map((b) => b.set);
  const trainSet = concat(setsOf('train'));
  const validSet = concat(setsOf('validation'));
  const testSets = setsOf('test');
  const testSet = concat(testSets);

  const logistic = fitLogistic(trainSet.x, trainSet.y, trainSet.rows, FEATURE_COUNT);
  const trees = fitGbt(trainSet, validSet, FEATURE_COUNT);
  const fitted: Fitted[] = [
    {
      name: 'logistic',
      candidate: { kind: 'logistic', model: logistic },
      logOdds: (set) => perRow(set, (x, offset) => logOddsRow(logistic, x, offset)),
      contributions: (set, row, out) => {
        for (let j = 0; j < FEATURE_COUNT; j++) {
          out[j] =
            (out[j] as number) +
            (logistic.weights[j] as number) *
              (((set.x[row * FEATURE_COUNT + j] as number) - (logistic.means[j] as number)) /
                (logistic.scales[j] as number));
        }
      },
      detail: `L2-regularised logistic regression on standardised indicators (${logistic.iterations} Newton iterations)`,
    },
    {
      name: 'boosted_trees',
      candidate: { kind: 'trees', model: trees },
      logOdds: (set) => perRow(set, (x, offset) => predictLogit(trees, x, offset)),
      contributions: (set, row, out) => treeContributions(trees, set.x, row * FEATURE_COUNT, out),
      detail: `gradient-boosted trees, depth ${DEFAULT_GBT.maxDepth}, learning rate ${DEFAULT_GBT.learningRate}, ${trees.trees.length} trees (early-stopped on the validation cohort)`,
    },
  ];
  const summaries = fitted.map((f) => {
    const validLogOdds = f.logOdds(validSet);
    const scaling = fitPlatt(validLogOdds, validSet.y);
    return {
      fitted: f,
      scaling,
      summary: {
        name: f.name,
        detail: f.detail,
        scaling,
        validation: scoresAtCapacity(applyPlatt(scaling, validLogOdds), validSet),
        test: (() => {
          const p = applyPlatt(scaling, f.logOdds(testSet));
          return scoresAt(p, testSet, pooledSelection(p, testSets));
        })(),
      } satisfies CandidateSummary,
    };
  });
  const [simple, complex] = summaries as [(typeof summaries)[0], (typeof summaries)[0]];
  const simpleSelected = selectAtCapacity(
    applyPlatt(simple.scaling, simple.fitted.logOdds(validSet)),
    validSet.comunas,
  );
  const k = selectionScores(simpleSelected, validSet.y).selected;
  const p = simple.summary.validation.precisionAtCapacity;
  const standardError = stratifiedPrecisionError(simpleSelected, validSet.y, validSet.comunas);
  const choice = options.candidate ?? 'auto';
  const byPrecision = complex.summary.validation.precisionAtCapacity > p + standardError ? complex : simple;
  const chosen = choice === 'auto' ? byPrecision : choice === simple.fitted.name ? simple : complex;
  const selection =
    `validation precision at capacity: ${simple.fitted.name} ${p.toFixed(3)}, ${complex.fitted.name} ` +
    `${complex.summary.validation.precisionAtCapacity.toFixed(3)}; one standard error ${standardError.toFixed(3)} ` +
    `(${k.toLocaleString('en')} children at capacity) — ` +
    (choice === 'auto'
      ? `selected ${chosen.fitted.name}`
      : `${chosen.fitted.name} exported as asked (the rule would select ${byPrecision.fitted.name})`);

  const probabilityOf = (set: Dataset): Float64Array =>
    applyPlatt(chosen.scaling, chosen.fitted.logOdds(set));
  const testScores = probabilityOf(testSet);
  // The roster's order under the configured head rule: a child without a child-level reason ranks
  // after the model's head, so every figure at capacity is taken at the rule production uses.
  const testCut = built.find((b) => b.cohort.role === 'test')?.cohort.cut ?? '';
  const demotedOf = (set: Dataset): boolean[] =>
    reasonsOfRows(
      set,
      { name: chosen.fitted.name, probabilities: [], contributions: calibratedContributions(chosen, set) },
      testCut,
    ).map((reasons) => demotionOf(reasons, PRIORITISATION) !== undefined);
  const testDemoted = testSets.map(demotedOf);
  const pooledDemoted = testDemoted.flat();
  const modelCalibration = calibration(testScores, testSet.y);
  const oracleCalibration = calibration(testSet.oracle, testSet.y);
  const selected = pooledSelection(testScores, testSets, pooledDemoted);
  const selectedCount = selectionScores(selected, testSet.y).selected;
  const cohortSummaries: CohortSummary[] = built.map(({ cohort, set }) => ({
    ...cohort,
    rows: set.rows,
    baseRate: baseRate(set),
    model: scoresAtCapacity(probabilityOf(set), set),
    oracle: scoresAtCapacity(set.oracle, set),
  }));
  const importance: FeatureImportance[] = FEATURE_NAMES.map((name) => ({
    name,
    meanAbsolute: 0,
    meanSelected: 0,
  }));
  {
    const row = new Float64Array(FEATURE_COUNT);
    const abs = new Float64Array(FEATURE_COUNT);
    const sel = new Float64Array(FEATURE_COUNT);
    for (let r = 0; r < testSet.rows; r++) {
      row.fill(0);
      chosen.fitted.contributions(testSet, r, row);
      for (let j = 0; j < FEATURE_COUNT; j++) {
        const c = (row[j] as number) * chosen.scaling.slope;
        abs[j] = (abs[j] as number) + Math.abs(c);
        if (selected[r]) sel[j] = (sel[j] as number) + c;
      }
    }
    importance.forEach((f, j) => {
      Object.assign(f, {
        meanAbsolute: (abs[j] as number) / testSet.rows,
        meanSelected: (sel[j] as number) / selectedCount,
      });
    });
  }
  const testCohorts = built.filter((b) => b.cohort.role === 'test');
  const testEvaluations = testCohorts.map(({ cohort, set }, i) =>
    // Seeded with the cohort's own seed, so the card is reproduced byte for byte.
    evaluateTestCohort(cohort, set, probabilityOf(set), cohort.seed, BOOTSTRAP_RESAMPLES, testDemoted[i]),
  );
  // The targets' sample: the cohorts together, seeded with the training seed.
  const pooledEvaluation = evaluatePooled(
    testCohorts.map(({ set }, i) => ({ probabilities: probabilityOf(set), set, demoted: testDemoted[i] })),
    options.seed,
    BOOTSTRAP_RESAMPLES,
  );
  const perComuna = comunaPrecision(
    testCohorts.map(({ set }, i) => ({ model: probabilityOf(set), set, demoted: testDemoted[i] })),
    capacityFor,
  );
  // Household share of the selection per candidate, and the head rule measured off and on.
  const association = measureAssociation({
    set: testSet,
    cut: testCohorts[0]?.cohort.cut ?? '',
    cohorts: testCohorts.length,
    candidates: summaries.map(({ fitted: f, scaling }) => ({
      name: f.name,
      probabilities: f === chosen.fitted ? testScores : applyPlatt(scaling, f.logOdds(testSet)),
      contributions: calibratedContributions({ fitted: f, scaling }, testSet),
    })),
    selected: chosen.fitted.name,
    configured: PRIORITISATION,
    seed: options.seed,
    resamples: BOOTSTRAP_RESAMPLES,
    select: (p, demoted) => pooledSelection(p, testSets, demoted),
  });
  const evaluation: Evaluation = {
    testRows: testSet.rows,
    baseRate: baseRate(testSet),
    model: scoresAt(testScores, testSet, selected),
    oracle: scoresAt(testSet.oracle, testSet, pooledSelection(testSet.oracle, testSets)),
    modelCalibration: modelCalibration.bins,
    oracleCalibration: oracleCalibration.bins,
    testCohorts: testEvaluations,
    pooled: pooledEvaluation,
    comunas: perComuna.comunas,
    comunasSuppressed: perComuna.suppressed,
    audits: (Object.keys(testSet.groups) as AuditAttribute[]).map((attribute) =>
      auditAttribute(attribute, testSet.groups[attribute], testSet.y, selected),
    ),
    selected: chosen.fitted.name,
    selection,
    candidates: summaries.map((s) => s.summary),
    cohorts: cohortSummaries,
    temporal: temporalValidation(
      built.map(({ cohort, set }) => ({ ...cohort, set, probabilities: probabilityOf(set) })),
    ),
    features: importance,
    logisticWeights: chosen.fitted.candidate.kind === 'logistic' ? Array.from(logistic.weights) : undefined,
    association,
  };
  const round = (v: number): number => Math.round(v * 10_000) / 10_000;
  const metrics = {
    test_rows: testSet.rows,
    train_rows: trainSet.rows,
    validation_rows: validSet.rows,
    auc: round(evaluation.model.auc),
    oracle_auc: round(evaluation.oracle.auc),
    precision_at_capacity: round(evaluation.model.precisionAtCapacity),
    oracle_precision_at_capacity: round(evaluation.oracle.precisionAtCapacity),
    ece: round(evaluation.model.ece),
    test_cohorts: testEvaluations.length,
    selected_at_capacity: selectedCount,
    // The worst test cohort's bound of each target's interval.
    auc_gap_upper: round(Math.max(...testEvaluations.map((c) => c.intervals.aucGap.high))),
    precision_ratio_lower: round(Math.min(...testEvaluations.map((c) => c.intervals.precisionRatio.low))),
    base_rate: round(evaluation.baseRate),
    platt_slope: round(chosen.scaling.slope),
    platt_intercept: round(chosen.scaling.intercept),
  };
  const trainCohorts = cohorts.filter((c) => c.role === 'train');
  const exported = exportModelToOnnx(chosen.fitted.candidate, chosen.scaling, {
    seed: options.seed,
    features: [...FEATURE_NAMES],
    ventileCutPoints: ventileCutPoints(probabilityOf(trainSet)),
    trainingDataSha256: hash.digest('hex'),
    metrics,
    trainedOn: `train cuts ${trainCohorts.map((c) => `${c.cut} (seed ${c.seed})`).join(', ')}; ${(
      ['validation', 'test'] as const
    )
      .map((role) => {
        const of = cohorts.filter((c) => c.role === role);
        return `${role} cut ${of[0]?.cut} (${of.length === 1 ? 'seed' : 'seeds'} ${of.map((c) => c.seed).join(', ')})`;
      })
      .join('; ')}`,
  });
  const info = exported.info;
  return {
    bytes: exported.bytes,
    info,
    evaluation,
    card: {
      markdown: modelCard(info, evaluation),
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
        children: { type: 'string', description: 'children in each cohort (default 40000)' },
        out: { type: 'string', description: `where to write the ONNX model (default ${DEFAULT_MODEL_PATH})` },
        candidate: {
          type: 'string',
          description:
            'auto (select by validation precision at capacity, default), logistic or boosted_trees',
        },
      },
      schema,
      'usage: npm run train -- [flags]',
    );
    if (flags.candidate !== 'auto' && resolve(dirname(flags.out)) === resolve(dirname(DEFAULT_MODEL_PATH))) {
      // The folder holds the deployed model and its card: only the selection rule's choice goes there.
      throw new UsageError(
        `--candidate ${flags.candidate} needs --out in another folder than ${dirname(DEFAULT_MODEL_PATH)} (the deployed model's)`,
      );
    }
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

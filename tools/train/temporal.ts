/**
 * Temporal validation beyond ranking: how the selected model's calibration and inputs move from the
 * training cohorts to the later ones. Per cohort, calibration in the large (observed rate against
 * mean predicted probability), overall and split between the comunas where the generator's
 * prevention program opened and the others; per later cohort, the population stability index of
 * every feature and of the score against the pooled training cohorts, computed by the monitoring
 * code production runs per cut (`functions/score/domain/drift.ts`), so the card and the drift
 * reports judge a shift alike.
 */
import type { DriftItem, FeatureDrift } from '../../functions/score/domain/drift';
import { driftReport, PSI_ACT, PSI_WATCH, profileOf } from '../../functions/score/domain/drift';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../functions/score/domain/features';
import { PROGRAM_COMUNAS, PROGRAM_OPENING } from '../generate/yearly-drift';
import type { Dataset } from './dataset';

/** One cohort with the selected model's calibrated probabilities. */
export interface ScoredCohort {
  readonly role: 'train' | 'validation' | 'test';
  readonly cut: string;
  readonly seed: number;
  readonly set: Pick<Dataset, 'rows' | 'x' | 'y' | 'comunas'>;
  readonly probabilities: ArrayLike<number>;
}

/** Observed rate against mean predicted probability over some children. */
export interface CalibrationInTheLarge {
  readonly rows: number;
  readonly observed: number;
  readonly predicted: number;
  /** Observed over predicted cases (1 when calibrated in the large; below 1 when over-predicting). */
  readonly ratio: number;
}

export interface CohortCalibration {
  readonly role: ScoredCohort['role'];
  readonly cut: string;
  readonly seed: number;
  readonly all: CalibrationInTheLarge;
  /** The children of the comunas where the program opened, and the others. */
  readonly program: CalibrationInTheLarge;
  readonly others: CalibrationInTheLarge;
}

/** A later cohort's inputs and score against the pooled training cohorts. */
export interface StabilityAgainstTraining {
  readonly role: ScoredCohort['role'];
  readonly cut: string;
  readonly seed: number;
  readonly score: DriftItem;
  /** In the model's feature order. */
  readonly features: readonly FeatureDrift[];
  /** Features at or above the watch threshold, largest PSI first. */
  readonly flagged: readonly string[];
}

export interface TemporalValidation {
  readonly programComunas: readonly string[];
  readonly programOpening: string;
  /** Every cohort, oldest cut first. */
  readonly cohorts: readonly CohortCalibration[];
  /** Every cohort that is not a training one, oldest cut first. */
  readonly stability: readonly StabilityAgainstTraining[];
  readonly thresholds: { readonly watch: number; readonly act: number };
}

function inTheLarge(cohort: ScoredCohort, keep: (row: number) => boolean): CalibrationInTheLarge {
  let rows = 0;
  let observed = 0;
  let predicted = 0;
  for (let r = 0; r < cohort.set.rows; r++) {
    if (!keep(r)) continue;
    rows++;
    observed += cohort.set.y[r] as number;
    predicted += cohort.probabilities[r] as number;
  }
  return {
    rows,
    observed: rows > 0 ? observed / rows : Number.NaN,
    predicted: rows > 0 ? predicted / rows : Number.NaN,
    ratio: predicted > 0 ? observed / predicted : Number.NaN,
  };
}

/** Each feature's column over the given cohorts, in the model's feature order. */
function columns(cohorts: readonly ScoredCohort[]): Record<string, Float64Array> {
  const rows = cohorts.reduce((s, c) => s + c.set.rows, 0);
  const out: Record<string, Float64Array> = {};
  FEATURE_NAMES.forEach((name, j) => {
    const column = new Float64Array(rows);
    let at = 0;
    for (const c of cohorts)
      for (let r = 0; r < c.set.rows; r++) column[at++] = c.set.x[r * FEATURE_COUNT + j] as number;
    out[name] = column;
  });
  return out;
}

function probabilitiesOf(cohorts: readonly ScoredCohort[]): Float64Array {
  const out = new Float64Array(cohorts.reduce((s, c) => s + c.set.rows, 0));
  let at = 0;
  for (const c of cohorts) for (let r = 0; r < c.set.rows; r++) out[at++] = c.probabilities[r] as number;
  return out;
}

/**
 * The temporal validation of the selected model over its cohorts. The training cohorts, pooled,
 * are the reference every later cohort is compared with. `programComunas` defaults to the
 * generator's.
 */
export function temporalValidation(
  cohorts: readonly ScoredCohort[],
  programComunas: readonly string[] = PROGRAM_COMUNAS,
): TemporalValidation {
  const ordered = [...cohorts].sort((a, b) => (a.cut < b.cut ? -1 : a.cut > b.cut ? 1 : a.seed - b.seed));
  const training = ordered.filter((c) => c.role === 'train');
  if (training.length === 0) throw new Error('temporal validation needs at least one training cohort');
  const program = new Set(programComunas);
  const reference = profileOf({
    comuna: 'all',
    cut: training.map((c) => c.cut).join('+'),
    modelVersion: 'selected',
    features: columns(training),
    probabilities: probabilitiesOf(training),
  });
  const stability = ordered
    .filter((c) => c.role !== 'train')
    .map((c): StabilityAgainstTraining => {
      const report = driftReport(
        {
          comuna: 'all',
          cut: c.cut,
          modelVersion: 'selected',
          features: columns([c]),
          probabilities: c.probabilities,
        },
        reference,
      );
      return {
        role: c.role,
        cut: c.cut,
        seed: c.seed,
        score: report.score as DriftItem,
        features: report.features,
        flagged: report.flagged,
      };
    });
  return {
    programComunas: [...programComunas],
    programOpening: PROGRAM_OPENING,
    cohorts: ordered.map((c) => ({
      role: c.role,
      cut: c.cut,
      seed: c.seed,
      all: inTheLarge(c, () => true),
      program: inTheLarge(c, (r) => program.has(c.set.comunas[r] as string)),
      others: inTheLarge(c, (r) => !program.has(c.set.comunas[r] as string)),
    })),
    stability,
    thresholds: { watch: PSI_WATCH, act: PSI_ACT },
  };
}

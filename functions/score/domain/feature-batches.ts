/**
 * A cut's children as the model takes them: each child's indicators as of the knowledge date, in
 * row-major batches, with the registry survey's age its household reasons cite. Scoring and the
 * shadow comparison's outcome cohort read children through it.
 */
import type { IsoDate } from '../../shared/domain/dates';
import { FEATURE_COUNT } from './features';
import type { ChildSources } from './indicators';
import { computeIndicators, surveyAgeMonths } from './indicators';
import type { SurveyAge } from './prioritise';

/** One batch of children with computable indicators, as the model takes them (row-major). */
export interface FeatureBatch {
  readonly ids: readonly string[];
  readonly input: Float32Array;
  readonly surveys: readonly SurveyAge[];
  /** Each child's registry household (its pseudonym), in the order of `ids`. */
  readonly families: readonly string[];
  /** Children of the slice whose indicators cannot be computed (not 0–17, deceased). */
  readonly skipped: number;
}

/** The children's indicators as of `asOf`, `batchSize` children at a time. */
export function* featureBatches(
  children: readonly (readonly [string, ChildSources])[],
  asOf: IsoDate,
  batchSize: number,
  row: Float32Array = new Float32Array(FEATURE_COUNT),
): Generator<FeatureBatch> {
  for (let start = 0; start < children.length; start += batchSize) {
    const slice = children.slice(start, start + batchSize);
    const features = new Float32Array(slice.length * FEATURE_COUNT);
    const ids: string[] = [];
    const surveys: SurveyAge[] = [];
    const families: string[] = [];
    let skipped = 0;
    for (const [childId, sources] of slice) {
      if (!computeIndicators(sources, asOf, row)) {
        skipped++;
        continue;
      }
      features.set(row, ids.length * FEATURE_COUNT);
      ids.push(childId);
      surveys.push({ surveyDate: sources.rsh.surveyDate, months: surveyAgeMonths(sources.rsh, asOf) });
      families.push(sources.rsh.householdId);
    }
    yield { ids, input: features.subarray(0, ids.length * FEATURE_COUNT), surveys, families, skipped };
  }
}

/**
 * How the synthetic world changes from one year to the next, so that a temporal split (train on the
 * older cuts, test on the newer) tests something temporal. Each change is a function of the cut's
 * distance from the first training cut, 2022-10, in years (`t`, by months: 2023-04 is 0.5), taken
 * as 0 before that cut and held at 4 from 2026-10 on (the demo's cut), so that later cuts stay
 * plausible instead of drifting without end:
 *
 * 1. School absenteeism rises. A school-age enrolled child's log-odds of chronic absence (the
 *    latent school situation behind attendance below 85 %) gain 0.12·t: the share of enrolled
 *    children whose attendance averages below 85 % goes from about 21 % at 2022-10 to about 28 % at
 *    2026-10, some 1.75 percentage points a year. Chronic
 *    absence is in the ground truth and in the indicators: the model sees this shift (covariate
 *    shift), and the base rate rises with it.
 * 2. A family-prevention program opens in November 2024 in three pilot comunas (La Florida,
 *    Concepción and San Felipe, about a third of the children). For children there it lowers the
 *    log-odds of the outcome by 0.2 per year the program has run by the end of the cut's outcome
 *    window (the 12 months after the cut), up to 0.4: 0 for the cuts up to 2023-10, −0.2 for
 *    2024-10 (its first year is that cut's outcome window), −0.4 from 2025-10 on. No source records who the program reaches, so this is a change of the outcome
 *    given the features (concept shift) that a model fitted on earlier cuts cannot see: it
 *    over-predicts in those comunas.
 * 3. The social registry is updated less often. The share of households whose last survey is
 *    recent falls: the weight of a survey 3–5 months old drops by 2 points a year (30 → 22 of 100
 *    at 2026-10) and the weights of 30–32 and 40–42 months gain 1 each, so the children whose
 *    household's survey is more than two years old go from about 15 % to about 21 % (fewer than the
 *    weights say, since a household updates its survey after a birth). The survey's age is no term of the ground truth;
 *    it reaches the model through `ficha_rsh_antigua` only.
 *
 * Each change alters probabilities and weights, never the number of random draws, so a cut's
 * streams stay aligned and the same seed and cut give the same bytes. At t = 0 (2022-10 and before)
 * the generator is exactly the one without drift.
 */
import { cutKnowledgeDate } from '../../functions/shared/domain/dates';

/** The first training cut: the origin of the drift. */
export const DRIFT_ORIGIN_CUT = '2022-10';
/** From this many years after the origin (2026-10) the drift holds still. */
export const DRIFT_SATURATION_YEARS = 4;

/** Log-odds of chronic absence added per year. */
export const ABSENCE_LOG_ODDS_PER_YEAR = 0.12;

/** The comunas where the prevention program opens (CUT codes). */
export const PROGRAM_COMUNAS: readonly string[] = ['13110', '08101', '05701'];
/** The program's first month of operation. */
export const PROGRAM_OPENING = '2024-11';
/** Log-odds of the outcome removed per year of operation, and the most it removes. */
export const PROGRAM_LOG_ODDS_PER_YEAR = 0.2;
export const PROGRAM_MAX_LOG_ODDS = 0.4;

/** Relative weights of a registry survey's age (months before the cut, plus 0–2) at the origin. */
export const SURVEY_AGE_MONTHS: readonly number[] = [3, 12, 20, 30, 40];
const SURVEY_AGE_WEIGHTS_AT_ORIGIN: readonly number[] = [30, 30, 20, 12, 8];
/** Weight moved per year from the most recent surveys to the two oldest ages. */
const SURVEY_WEIGHT_PER_YEAR: readonly number[] = [-2, 0, 0, 1, 1];

const monthIndex = (cut: string): number => Number(cut.slice(0, 4)) * 12 + Number(cut.slice(5, 7)) - 1;

/** Years from the origin to `cut`, by months, within [0, DRIFT_SATURATION_YEARS]. */
export function driftYears(cut: string): number {
  if (!cutKnowledgeDate(cut)) throw new Error(`cut must be yyyy-mm, got "${cut}"`);
  const years = (monthIndex(cut) - monthIndex(DRIFT_ORIGIN_CUT)) / 12;
  return Math.min(DRIFT_SATURATION_YEARS, Math.max(0, years));
}

/** What the drift does to one cut. */
export interface YearlyDrift {
  readonly years: number;
  /** Added to the log-odds of chronic absence of every enrolled school-age child. */
  readonly absenceLogOdds: number;
  /** Added to the outcome's log-odds of children of a program comuna (≤ 0). */
  readonly programLogOdds: number;
  /** Relative weights of `SURVEY_AGE_MONTHS`. */
  readonly surveyAgeWeights: readonly number[];
}

export function yearlyDrift(cut: string): YearlyDrift {
  const years = driftYears(cut);
  // Years the program has run by the end of the cut's outcome window (the 12 months after the cut).
  const operating = Math.max(0, (monthIndex(cut) + 13 - monthIndex(PROGRAM_OPENING)) / 12);
  return {
    years,
    absenceLogOdds: ABSENCE_LOG_ODDS_PER_YEAR * years,
    programLogOdds: -Math.min(PROGRAM_MAX_LOG_ODDS, PROGRAM_LOG_ODDS_PER_YEAR * operating),
    surveyAgeWeights: SURVEY_AGE_WEIGHTS_AT_ORIGIN.map(
      (w, i) => w + (SURVEY_WEIGHT_PER_YEAR[i] as number) * years,
    ),
  };
}

/** The outcome's log-odds shift for a child of `comuna` at the drift of its cut. */
export function programLogOddsIn(drift: YearlyDrift, comuna: string): number {
  return PROGRAM_COMUNAS.includes(comuna) ? drift.programLogOdds : 0;
}

/**
 * From model output to roster fields: the ventile (1 = lowest risk, 20 = highest) against the cut
 * points fixed at training and the top reasons in words. The roster owns the reason type and the
 * sort key that ranks a comuna's entries by score.
 */
import type { Reason } from '../../roster/domain/roster';
import { FEATURES, HOUSEHOLD_SURVEY_WINDOW_MONTHS, reasonHolds, toldContributions } from './features';

/** Ventile of a probability given the 19 ascending cut points of the training distribution. */
export function ventileOf(probability: number, cutPoints: readonly number[]): number {
  if (cutPoints.length !== 19) throw new Error(`expected 19 ventile cut points, got ${cutPoints.length}`);
  let v = 1;
  for (const c of cutPoints) if (probability >= c) v++;
  return v;
}

/** Contributions smaller than this (in log-odds) are not worth telling a professional about. */
export const MIN_REASON_WEIGHT = 0.05;

/** The registry survey the child's household features come from, as seen from the cut. */
export interface SurveyAge {
  /** The survey's date (`yyyy-mm-dd` or `yyyy-mm`). */
  readonly surveyDate: string;
  /** Whole months from the survey's month to the cut's. */
  readonly months: number;
}

/** How old the survey is, in words: "(ficha de 2023-04, hace 31 meses)". */
export function surveyAgeText(survey: SurveyAge): string {
  const ago =
    survey.months <= 0
      ? 'del mes del corte'
      : survey.months === 1
        ? 'hace 1 mes'
        : `hace ${survey.months} meses`;
  return `(ficha de ${survey.surveyDate.slice(0, 7)}, ${ago})`;
}

/**
 * The `count` features that raise this child's score most, highest first, among those whose words
 * are true of the child's own values: a contribution that raises the risk is not enough, since a
 * feature moves the score whichever side of the average the child is on (a household richer than
 * average raises it when the model's income weight is positive), and context such as age is never
 * told. An interaction's contribution is told with the feature it modifies (`toldContributions`).
 * `cut` is the monthly cut the values were computed from. With `survey`, every household reason
 * taken from the registry says how old the survey it describes is; household features of a survey
 * past HOUSEHOLD_SURVEY_WINDOW_MONTHS are never told (`reasonHolds`).
 */
export function topReasons(
  contributions: ArrayLike<number>,
  values: ArrayLike<number>,
  cut: string,
  survey?: SurveyAge,
  count = 3,
): Reason[] {
  const told = toldContributions(contributions);
  const staleSurvey = survey !== undefined && survey.months > HOUSEHOLD_SURVEY_WINDOW_MONTHS;
  const idx: number[] = [];
  for (let i = 0; i < FEATURES.length; i++) {
    if ((told[i] as number) < MIN_REASON_WEIGHT || !reasonHolds(i, values)) continue;
    if (staleSurvey && FEATURES[i]?.typical !== undefined) continue;
    idx.push(i);
  }
  idx.sort((a, b) => (told[b] as number) - (told[a] as number));
  return idx.slice(0, count).map((i) => {
    const f = FEATURES[i];
    if (!f?.reason) throw new Error(`feature ${i} out of catalogue`);
    const { concerns, source, window, text } = f.reason;
    const words = text(values[i] ?? 0);
    const dated = survey && source === 'rsh' && concerns === 'hogar';
    return {
      feature: f.name,
      text: dated ? `${words} ${surveyAgeText(survey)}` : words,
      weight: Math.round((told[i] as number) * 1000) / 1000,
      concerns,
      source,
      cut,
      window,
    };
  });
}

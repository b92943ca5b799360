/**
 * The feature catalogue: names and order of the model's inputs (the contract between training and
 * scoring), and how each feature, when it pushes a child's risk up and its words are true of the
 * child, is explained to an OLN professional. Every feature is measured over a window before the
 * knowledge date; none is a permanent "ever happened" flag.
 */
import type { ReasonConcerns, ReasonWindow } from '../../roster/domain/roster';
import type { CuratedSource } from '../../shared/domain/curated-records';

/** How a feature is told to a professional, and when its words are true of the child. */
export interface FeatureReason {
  readonly concerns: ReasonConcerns;
  readonly source: CuratedSource;
  readonly window: ReasonWindow;
  /** Whether the words are true of this child, on its own value of the feature. */
  readonly holds: (value: number) => boolean;
  /** The reason in words; called only when `holds` is true. */
  readonly text: (value: number) => string;
}

export interface FeatureDef {
  readonly name: string;
  /**
   * Shown on the roster when this feature raises the score and its condition holds. Absent for
   * context (age): a model input that is never a reason, since a child's age is not something
   * an OLN can act on and naming it reads as blaming the child for being a child.
   */
  readonly reason?: FeatureReason;
  /**
   * For an interaction (a product of two indicators, or a finer cut of one): the feature whose
   * reason tells its contribution. The interaction is non-zero only where that feature's words hold
   * (a chronic absence, a victim contact, a parent in prison, overcrowding, the bracket), so its
   * share of the score is added to that feature's and told in its words; it is never a reason of
   * its own. The roster thus says "asistencia bajo 85 %" with the weight that absence has for this
   * adolescent, rather than a second line about the same fact.
   */
  readonly modifies?: string;
  /**
   * For a feature taken from the household's registry survey: the registry population's typical
   * value, towards which the feature is moved once the survey is older than
   * HOUSEHOLD_SURVEY_WINDOW_MONTHS (see `surveyWeight`). Past the window the feature is never
   * given as a reason, since the household it describes may have changed. The values are the
   * means over the training cohorts (`npm run train`'s two earliest), rounded: the logistic model
   * standardises on nearly the same means, so a decayed feature's contribution shrinks by about the
   * survey's weight rather than moving to another side of the average.
   */
  readonly typical?: number;
}

/**
 * The version of the reasons' words and conditions. A scoring run's inputs include it, so that a
 * change to a reason rescores rosters already written under the same model and source runs instead
 * of leaving them with the old reasons: raise it whenever a text or condition below changes.
 */
export const REASONS_VERSION = 4;

/** Below this household income per capita (CLP a month, the registry's figure) income is called low. */
export const LOW_INCOME_PER_CAPITA = 100_000;
/** Years of schooling of a complete enseñanza media: fewer is called low schooling. */
export const COMPLETE_SECONDARY_YEARS = 12;
/** Persons per bedroom from which the registry's household is overcrowded (hacinamiento). */
export const OVERCROWDED = 2.5;
/** Absence share of school days from which it is told as a reason. */
export const NOTABLE_ABSENCE = 0.1;
/** The widest registry bracket (tramo) told as vulnerable, beside the 40% one. */
export const VULNERABLE_BRACKET = 60;
/** Age below which a child is in early childhood (no school records; well-child check-ups). */
export const EARLY_CHILDHOOD_AGE = 6;

/**
 * Recency of the household's registry survey. Up to this age (in whole months from the survey's
 * month to the cut's) its features count in full and may be told as reasons; past it they are
 * decayed and never told (`ficha_rsh_antigua` marks the child), since the household may have
 * changed: a family that split, moved or found work is not what a survey of three years ago says.
 */
export const HOUSEHOLD_SURVEY_WINDOW_MONTHS = 24;
/**
 * Past the window, a survey's household features move towards the population's typical value with
 * this half-life: weight 0.79 at 36 months, 0.5 at 60, 0.25 at 96. Measured on the cohorts of
 * `npm run train` (fitted on the training cohorts, judged on the test one; in the generated data an
 * old survey is still accurate, so any decay can only cost): a hard window (every household feature
 * set to its typical value past 24 months, the stale flag as the only trace) widened the AUC gap to
 * the oracle by 0.006; half-lives of 12, 24 and 36 months by 0.0017, 0.0005 and 0.0002. 36 months
 * bounds the weight of a survey many years old at a cost within the sampling noise, where a faster
 * decay would discard household information that is still useful when the household has not changed.
 */
export const HOUSEHOLD_SURVEY_HALF_LIFE_MONTHS = 36;

/** The weight of a registry survey's household features, from its age in months. */
export function surveyWeight(ageMonths: number): number {
  if (ageMonths <= HOUSEHOLD_SURVEY_WINDOW_MONTHS) return 1;
  return 0.5 ** ((ageMonths - HOUSEHOLD_SURVEY_WINDOW_MONTHS) / HOUSEHOLD_SURVEY_HALF_LIFE_MONTHS);
}

const pct = (v: number): string => `${Math.round(v * 100)} %`;
const pesos = (v: number): string => `$${Math.round(v).toLocaleString('es-CL')}`;
const isSet = (v: number): boolean => v === 1;
/** A binary indicator of the child's own records (an event in the window, a school situation). */
const childEvent = (
  source: CuratedSource,
  window: ReasonWindow,
  words: string,
  concerns: ReasonConcerns = 'niño',
): FeatureReason => ({ concerns, source, window, holds: isSet, text: () => words });

export const FEATURES: readonly FeatureDef[] = [
  { name: 'edad' },
  { name: 'adolescente' },
  {
    name: 'tramo_rsh_40',
    typical: 0.52,
    reason: childEvent(
      'rsh',
      'ficha vigente',
      'Hogar en el tramo del 40 % más vulnerable del Registro Social de Hogares',
      'hogar',
    ),
  },
  {
    name: 'tramo_rsh',
    typical: 5.5,
    reason: {
      concerns: 'hogar',
      source: 'rsh',
      window: 'ficha vigente',
      // The 40% bracket is told by tramo_rsh_40; this one tells the next brackets up to 60%.
      holds: (v) => Math.round(v * 10) > 40 && Math.round(v * 10) <= VULNERABLE_BRACKET,
      text: (v) =>
        `Hogar en el tramo del ${Math.round(v * 10)} % más vulnerable del Registro Social de Hogares`,
    },
  },
  {
    name: 'personas_por_dormitorio',
    typical: 2.54,
    reason: {
      concerns: 'hogar',
      source: 'rsh',
      window: 'ficha vigente',
      holds: (v) => v >= OVERCROWDED,
      text: (v) => `Hacinamiento en el hogar: ${v.toFixed(1).replace('.', ',')} personas por dormitorio`,
    },
  },
  {
    name: 'hacinamiento_critico',
    typical: 0.44,
    reason: childEvent(
      'rsh',
      'ficha vigente',
      'Hacinamiento en el hogar (2,5 o más personas por dormitorio)',
      'hogar',
    ),
  },
  {
    name: 'log_ingreso_per_capita',
    typical: 12.03,
    reason: {
      concerns: 'hogar',
      source: 'rsh',
      window: 'ficha vigente',
      holds: (v) => Math.expm1(v) < LOW_INCOME_PER_CAPITA,
      text: (v) =>
        `Ingreso per cápita del hogar bajo ${pesos(LOW_INCOME_PER_CAPITA)} al mes (${pesos(Math.expm1(v))})`,
    },
  },
  {
    name: 'escolaridad_jefatura',
    typical: 10.3,
    reason: {
      concerns: 'hogar',
      source: 'rsh',
      window: 'ficha vigente',
      holds: (v) => v < COMPLETE_SECONDARY_YEARS,
      text: (v) => `Jefatura del hogar sin enseñanza media completa (${Math.round(v)} años de escolaridad)`,
    },
  },
  {
    name: 'hogar_monoparental',
    typical: 0.35,
    reason: childEvent('rsh', 'ficha vigente', 'Hogar monoparental', 'hogar'),
  },
  {
    name: 'discapacidad_en_hogar',
    typical: 0.09,
    reason: childEvent('rsh', 'ficha vigente', 'Persona con discapacidad en el hogar', 'hogar'),
  },
  {
    name: 'inasistencia_3m',
    reason: {
      concerns: 'niño',
      source: 'educacion',
      window: 'últimos 3 meses',
      holds: (v) => v >= NOTABLE_ABSENCE,
      text: (v) => `Inasistencia escolar de ${pct(v)} en los últimos 3 meses`,
    },
  },
  {
    name: 'asistencia_critica_3m',
    reason: childEvent('educacion', 'últimos 3 meses', 'Asistencia escolar bajo 85 % en los últimos 3 meses'),
  },
  {
    name: 'sin_matricula_3m',
    reason: childEvent(
      'educacion',
      'últimos 3 meses',
      'En edad escolar sin matrícula registrada en los últimos 3 meses',
    ),
  },
  {
    name: 'repitencia_12m',
    reason: childEvent('educacion', 'últimos 12 meses', 'Repitencia escolar en los últimos 12 meses'),
  },
  {
    name: 'retiro_escolar_12m',
    reason: childEvent(
      'educacion',
      'últimos 12 meses',
      'Retiro del establecimiento escolar en los últimos 12 meses',
    ),
  },
  {
    name: 'ficha_rsh_antigua',
    reason: childEvent(
      'rsh',
      'ficha vigente',
      'Ficha del Registro Social de Hogares sin actualizar hace más de 2 años',
      'hogar',
    ),
  },
  {
    name: 'victima_24h_12m',
    reason: childEvent(
      'policia',
      'últimos 12 meses',
      'Ingresó al programa 24 Horas como víctima en los últimos 12 meses',
    ),
  },
  {
    name: 'victima_24h_13_36m',
    reason: childEvent(
      'policia',
      'hace 13 a 36 meses',
      'Ingresó al programa 24 Horas como víctima hace entre 1 y 3 años',
    ),
  },
  {
    name: 'infractor_24h_12m',
    reason: childEvent(
      'policia',
      'últimos 12 meses',
      'Ingresó al programa 24 Horas por una infracción de ley en los últimos 12 meses',
    ),
  },
  {
    name: 'salud_mental_12m',
    reason: childEvent('salud', 'últimos 12 meses', 'Atención de salud mental en los últimos 12 meses'),
  },
  {
    name: 'tratamiento_drogas_12m',
    reason: childEvent(
      'salud',
      'últimos 12 meses',
      'Tratamiento por consumo de alcohol o drogas en los últimos 12 meses',
    ),
  },
  {
    name: 'embarazo_adolescente_12m',
    reason: childEvent('salud', 'últimos 12 meses', 'Embarazo adolescente en los últimos 12 meses'),
  },
  {
    name: 'sin_control_sano_12m',
    reason: childEvent(
      'salud',
      'últimos 12 meses',
      'Sin control de salud infantil en los últimos 12 meses (1 a 5 años)',
    ),
  },
  {
    name: 'adulto_privado_libertad',
    reason: childEvent(
      'privacion_libertad',
      'al cierre del corte',
      'Madre o padre privado de libertad',
      'hogar',
    ),
  },
  {
    name: 'adulto_egreso_penal_24m',
    reason: childEvent(
      'privacion_libertad',
      'últimos 24 meses',
      'Madre o padre egresó de un recinto penitenciario en los últimos 2 años',
      'hogar',
    ),
  },
  {
    name: 'proteccion_12m',
    reason: childEvent(
      'proteccion',
      'últimos 12 meses',
      'En un programa de protección, o egresó de uno en los últimos 12 meses',
    ),
  },
  {
    name: 'proteccion_13_36m',
    reason: childEvent(
      'proteccion',
      'hace 13 a 36 meses',
      'Egresó de un programa de protección hace entre 1 y 3 años',
    ),
  },
  // Interactions the ground truth's structure has and an additive model cannot carry (see
  // `tools/generate/life-events.ts`); each is told through the feature it modifies.
  // The 50% bracket carries risk of its own, short of the 40% one's: a step the linear bracket misses.
  { name: 'tramo_rsh_50', typical: 0.11, modifies: 'tramo_rsh' },
  // A chronic absence weighs more in adolescence, when it leads to dropout.
  { name: 'asistencia_critica_adolescente', modifies: 'asistencia_critica_3m' },
  // Overcrowding weighs more where one adult heads the household.
  { name: 'hacinamiento_monoparental', typical: 0.15, modifies: 'hacinamiento_critico' },
  // A police contact as a victim weighs more where one adult heads the household.
  { name: 'victima_24h_12m_monoparental', modifies: 'victima_24h_12m' },
  // A parent in prison weighs more for a child under six.
  { name: 'adulto_privado_libertad_menor_6', modifies: 'adulto_privado_libertad' },
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);
export const FEATURE_COUNT = FEATURES.length;

const STALE_SURVEY = FEATURE_NAMES.indexOf('ficha_rsh_antigua');

/**
 * For each feature, the index of the feature whose reason tells its contribution: its own, or the
 * one it modifies. Checked at load: a `modifies` naming no feature with a reason is a catalogue bug.
 */
export const TOLD_BY: readonly number[] = FEATURES.map((f, i) => {
  if (!f.modifies) return i;
  const target = FEATURE_NAMES.indexOf(f.modifies);
  if (target < 0 || !FEATURES[target]?.reason || FEATURES[target]?.modifies) {
    throw new Error(`feature ${f.name} modifies ${f.modifies}, which is not a feature with a reason`);
  }
  return target;
});

/**
 * The contributions as the roster tells them: each interaction's added to the feature it modifies
 * (and its own set to 0), so that every part of the score is told in one feature's words.
 */
export function toldContributions(contributions: ArrayLike<number>): Float64Array {
  const out = new Float64Array(FEATURE_COUNT);
  for (let i = 0; i < FEATURE_COUNT; i++) {
    const to = TOLD_BY[i] as number;
    out[to] = (out[to] as number) + (contributions[i] ?? 0);
  }
  return out;
}

/**
 * Whether feature `i`'s reason is true of the child with these indicator values: it has one, its
 * condition holds on the child's own value, and, for a household feature of the registry survey,
 * the survey is within HOUSEHOLD_SURVEY_WINDOW_MONTHS (the row's `ficha_rsh_antigua` is 0).
 */
export function reasonHolds(i: number, values: ArrayLike<number>): boolean {
  const f = FEATURES[i];
  if (!f?.reason?.holds(values[i] ?? 0)) return false;
  return f.typical === undefined || values[STALE_SURVEY] !== 1;
}

/** The model's feature list differs from the catalogue the code computes. */
export class ModelContractError extends Error {
  override readonly name = 'ModelContractError';
}

/** Refuses a model whose inputs are not exactly the catalogue, in the same order. */
export function assertFeatureContract(modelFeatures: readonly string[]): void {
  const expected = FEATURE_NAMES;
  if (modelFeatures.length === expected.length && modelFeatures.every((f, i) => f === expected[i])) return;
  const missing = expected.filter((f) => !modelFeatures.includes(f));
  const extra = modelFeatures.filter((f) => !expected.includes(f));
  const firstDiff = expected.findIndex((f, i) => modelFeatures[i] !== f);
  throw new ModelContractError(
    `the model expects features [${modelFeatures.join(', ')}] but the code computes [${expected.join(', ')}]` +
      (missing.length ? `; missing from the model: ${missing.join(', ')}` : '') +
      (extra.length ? `; unknown to the code: ${extra.join(', ')}` : '') +
      (!missing.length && !extra.length
        ? `; same names in another order (first difference at position ${firstDiff})`
        : ''),
  );
}

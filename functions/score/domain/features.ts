/**
 * The feature catalogue: names and order of the model's inputs (the contract between training and
 * scoring), and how each feature, when it pushes a child's risk up, is explained to an OLN
 * professional. Every feature is measured over a window before the knowledge date; none is a
 * permanent "ever happened" flag.
 */

export interface FeatureDef {
  readonly name: string;
  /** Plain-language reason shown on the roster when this feature raises the score. */
  readonly reason: (value: number) => string;
}

const pct = (v: number): string => `${Math.round(v * 100)}%`;

export const FEATURES: readonly FeatureDef[] = [
  { name: 'edad', reason: (v) => `Edad (${Math.round(v)} años)` },
  { name: 'adolescente', reason: () => 'Adolescente (13 a 17 años)' },
  {
    name: 'tramo_rsh_40',
    reason: () => 'Hogar en el tramo del 40% más vulnerable del Registro Social de Hogares',
  },
  { name: 'tramo_rsh', reason: (v) => `Tramo ${Math.round(v * 10)} del Registro Social de Hogares` },
  {
    name: 'personas_por_dormitorio',
    reason: (v) => `Hacinamiento (${v.toFixed(1)} personas por dormitorio)`,
  },
  {
    name: 'hacinamiento_critico',
    reason: () => 'Hacinamiento crítico en el hogar (2,5 o más personas por dormitorio)',
  },
  { name: 'log_ingreso_per_capita', reason: () => 'Ingreso per cápita del hogar bajo' },
  {
    name: 'escolaridad_jefatura',
    reason: (v) => `Baja escolaridad de la jefatura del hogar (${Math.round(v)} años)`,
  },
  { name: 'hogar_monoparental', reason: () => 'Hogar monoparental' },
  { name: 'discapacidad_en_hogar', reason: () => 'Persona con discapacidad en el hogar' },
  { name: 'inasistencia_3m', reason: (v) => `Inasistencia escolar de ${pct(v)} en los últimos 3 meses` },
  { name: 'asistencia_critica_3m', reason: () => 'Asistencia escolar bajo 85% en los últimos 3 meses' },
  {
    name: 'sin_matricula_3m',
    reason: () => 'En edad escolar sin matrícula registrada en los últimos 3 meses',
  },
  { name: 'repitencia_12m', reason: () => 'Repitencia escolar en los últimos 12 meses' },
  { name: 'retiro_escolar_12m', reason: () => 'Retiro del establecimiento escolar en los últimos 12 meses' },
  {
    name: 'ficha_rsh_antigua',
    reason: () => 'Ficha del Registro Social de Hogares sin actualizar hace más de 2 años',
  },
  {
    name: 'victima_24h_12m',
    reason: () => 'Ingresó al programa 24 Horas como víctima en los últimos 12 meses',
  },
  {
    name: 'victima_24h_13_36m',
    reason: () => 'Ingresó al programa 24 Horas como víctima hace entre 1 y 3 años',
  },
  {
    name: 'infractor_24h_12m',
    reason: () => 'Ingresó al programa 24 Horas por una infracción de ley en los últimos 12 meses',
  },
  { name: 'salud_mental_12m', reason: () => 'Atención de salud mental en los últimos 12 meses' },
  {
    name: 'tratamiento_drogas_12m',
    reason: () => 'Tratamiento por consumo de alcohol o drogas en los últimos 12 meses',
  },
  { name: 'embarazo_adolescente_12m', reason: () => 'Embarazo adolescente en los últimos 12 meses' },
  {
    name: 'sin_control_sano_12m',
    reason: () => 'Sin control de salud infantil en los últimos 12 meses (1 a 5 años)',
  },
  { name: 'adulto_privado_libertad', reason: () => 'Madre o padre privado de libertad' },
  {
    name: 'adulto_egreso_penal_24m',
    reason: () => 'Madre o padre egresó de un recinto penitenciario en los últimos 2 años',
  },
  {
    name: 'proteccion_12m',
    reason: () => 'En un programa de protección, o egresó de uno en los últimos 12 meses',
  },
  {
    name: 'proteccion_13_36m',
    reason: () => 'Egresó de un programa de protección hace entre 1 y 3 años',
  },
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);
export const FEATURE_COUNT = FEATURES.length;

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

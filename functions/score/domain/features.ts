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

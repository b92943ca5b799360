/**
 * The comparison scoring writes when a version is in shadow: per comuna and cut, how the candidate
 * would change the roster against the deployed version (the children selected at the comuna's OLN
 * capacity, ventiles, the score distribution, the reasons shown, each group's selection rate) and
 * the two models' own card metrics side by side. Metrics on a cohort with known outcomes appear
 * only when the system holds such a cohort; otherwise the report says so. The schema is the one the
 * API serves.
 */
import { z } from 'zod';

const groupRateSchema = z.object({
  attribute: z
    .string()
    .meta({ description: 'Atributo del registro: sexo, tramo_edad, pueblo_originario, migrante, zona' }),
  group: z.string(),
  children: z.number().int(),
  deployedSelected: z.number().int(),
  shadowSelected: z.number().int(),
  deployedRate: z.number().nullable().meta({ description: 'Tasa de selección; null con menos de 5 niños' }),
  shadowRate: z.number().nullable(),
});

const cohortMetricsSchema = z.object({
  auc: z.number().nullable(),
  precisionAtCapacity: z.number().nullable(),
  recallAtCapacity: z.number().nullable(),
});

export const shadowReportSchema = z.object({
  comuna: z.string(),
  cut: z.string().meta({ description: 'El corte puntuado en sombra' }),
  deployedVersion: z.string(),
  shadowVersion: z.string(),
  generatedAt: z.string(),
  children: z.number().int().meta({ description: 'Niños puntuados por ambos modelos' }),
  capacity: z.number().int().meta({ description: 'Capacidad de la OLN de la comuna (niños seleccionados)' }),
  overlap: z.object({
    both: z.number().int().meta({ description: 'Seleccionados por ambos modelos a la capacidad de la OLN' }),
    onlyDeployed: z.number().int(),
    onlyShadow: z.number().int(),
    share: z.number().nullable().meta({ description: 'both / capacity; null sin niños' }),
  }),
  ventileShifts: z.object({
    same: z.number().int(),
    up: z.number().int().meta({ description: 'Niños con un veintil mayor con el modelo en sombra' }),
    down: z.number().int(),
    meanAbsoluteShift: z.number(),
    byShift: z.array(z.object({ shift: z.number().int(), children: z.number().int() })),
  }),
  score: z.object({
    psi: z
      .number()
      .meta({ description: 'PSI de los puntajes en sombra sobre los deciles de los desplegados' }),
    level: z.enum(['estable', 'vigilar', 'actuar']),
    deployedMean: z.number().nullable(),
    shadowMean: z.number().nullable(),
  }),
  reasons: z.object({
    comparedChildren: z.number().int().meta({ description: 'Seleccionados por ambos modelos' }),
    sameFirstReason: z.number().int(),
    sameReasons: z.number().int().meta({ description: 'Con el mismo conjunto de motivos mostrados' }),
    byFeature: z.array(
      z.object({
        feature: z.string(),
        deployed: z.number().int().meta({ description: 'Seleccionados por el desplegado que lo muestran' }),
        shadow: z.number().int(),
      }),
    ),
  }),
  groups: z.array(groupRateSchema),
  cardMetrics: z.object({
    deployed: z.record(z.string(), z.number()),
    shadow: z.record(z.string(), z.number()),
  }),
  outcomes: z.object({
    cohortCut: z
      .string()
      .nullable()
      .meta({ description: 'Corte de la cohorte con resultados conocidos, si existe' }),
    outcomeCut: z.string().nullable(),
    children: z.number().int().nullable(),
    withOutcome: z.number().int().nullable(),
    deployed: cohortMetricsSchema.nullable(),
    shadow: cohortMetricsSchema.nullable(),
    message: z.string().meta({ description: 'Qué se pudo medir, en español' }),
  }),
  message: z.string().meta({ description: 'Lo que dice el informe, en español' }),
});

export type ShadowReport = z.infer<typeof shadowReportSchema>;
export type ShadowGroupRate = z.infer<typeof groupRateSchema>;
export type CohortMetrics = z.infer<typeof cohortMetricsSchema>;
export type OutcomeComparison = ShadowReport['outcomes'];

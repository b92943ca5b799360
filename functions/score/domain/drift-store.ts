/**
 * Where monitoring per cut is kept: each scored cut's profile and drift report, as JSON in the
 * curated bucket beside the quality reports (`driftKeys`), through the object storage port.
 */
import { z } from 'zod';
import { driftKeys } from '../../shared/domain/curated';
import type { ObjectStore } from '../../shared/domain/object-store';
import type { CutProfile, DriftReport } from './drift';

const binsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('categorias'), categories: z.array(z.number()) }),
  z.object({ kind: z.literal('deciles'), edges: z.array(z.number()) }),
]);
const distributionSchema = z.object({ bins: binsSchema, shares: z.array(z.number()) });

export const cutProfileSchema = z.object({
  comuna: z.string(),
  cut: z.string(),
  modelVersion: z.string(),
  children: z.number().int(),
  features: z.record(z.string(), distributionSchema),
  score: distributionSchema,
});

const levelSchema = z.enum(['estable', 'vigilar', 'actuar']).meta({
  description: 'estable: PSI < 0,1; vigilar: 0,1 ≤ PSI < 0,25; actuar: PSI ≥ 0,25',
});

export const driftReportSchema = z.object({
  comuna: z.string(),
  cut: z.string().meta({ description: 'El corte mensual evaluado' }),
  previousCut: z.string().nullable().meta({
    description: 'El corte anterior puntuado de la comuna con el que se compara; null en el primero',
  }),
  modelVersion: z.string(),
  previousModelVersion: z.string().nullable(),
  children: z.number().int().meta({ description: 'Niños puntuados en el corte' }),
  previousChildren: z.number().int().nullable(),
  thresholds: z
    .object({ watch: z.number(), act: z.number() })
    .meta({ description: 'Umbrales del PSI: vigilar desde `watch`, actuar desde `act`' }),
  score: z.object({ psi: z.number(), level: levelSchema }).nullable().meta({
    description:
      'Deriva de la distribución de probabilidades (deciles del corte anterior); null en el primer corte',
  }),
  features: z.array(
    z.object({
      feature: z.string().meta({ description: 'Indicador del modelo' }),
      bins: z
        .enum(['categorias', 'deciles'])
        .meta({ description: 'categorias: indicador 0/1; deciles: deciles del corte anterior' }),
      psi: z.number(),
      level: levelSchema,
    }),
  ),
  flagged: z.array(z.string()).meta({ description: 'Indicadores con PSI ≥ 0,1, el mayor primero' }),
  message: z.string().meta({ description: 'Lo que dice el informe, en español' }),
});

/** The monitoring port scoring writes through. */
export interface DriftStore {
  /** The profile of the latest cut before `cut` scored for the comuna, if any. */
  previousProfile(comuna: string, cut: string): Promise<CutProfile | undefined>;
  /** Keeps the cut's profile (the next cut's baseline) and its report. */
  write(profile: CutProfile, report: DriftReport): Promise<void>;
  report(comuna: string, cut: string): Promise<DriftReport | undefined>;
}

/** DriftStore over an object store (the curated bucket). */
export class ObjectDriftStore implements DriftStore {
  constructor(private readonly store: ObjectStore) {}

  async previousProfile(comuna: string, cut: string): Promise<CutProfile | undefined> {
    const cuts = (await this.store.list(driftKeys.comunaPrefix(comuna)))
      .map((key) => /cut=(\d{4}-\d{2})\/profile\.json$/.exec(key)?.[1])
      .filter((c): c is string => c !== undefined && c < cut)
      .sort();
    const previous = cuts[cuts.length - 1];
    return previous ? this.store.getJson(driftKeys.profile(comuna, previous), cutProfileSchema) : undefined;
  }

  async write(profile: CutProfile, report: DriftReport): Promise<void> {
    await this.store.putJson(driftKeys.profile(profile.comuna, profile.cut), profile);
    await this.store.putJson(driftKeys.report(report.comuna, report.cut), report);
  }

  report(comuna: string, cut: string): Promise<DriftReport | undefined> {
    return this.store.getJson(driftKeys.report(comuna, cut), driftReportSchema);
  }
}

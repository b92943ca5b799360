/**
 * Curated records as the scoring stage reads them back: the sources the model's indicators use,
 * each parsed with its shared curated record schema (`shared/domain/curated-records.ts`), so that
 * a corrupted or foreign object stops scoring with a clear error instead of producing wrong
 * indicators.
 */
import type { z } from 'zod';
import { CURATED_RECORD_SCHEMAS } from '../../shared/domain/curated-records';

/** The curated sources the model's indicators are computed from, with the shape read from each. */
export const MODEL_SOURCE_SCHEMAS = {
  rsh: CURATED_RECORD_SCHEMAS.rsh,
  educacion: CURATED_RECORD_SCHEMAS.educacion,
  salud: CURATED_RECORD_SCHEMAS.salud,
  policia: CURATED_RECORD_SCHEMAS.policia,
  proteccion: CURATED_RECORD_SCHEMAS.proteccion,
  registro_civil: CURATED_RECORD_SCHEMAS.registro_civil,
  privacion_libertad: CURATED_RECORD_SCHEMAS.privacion_libertad,
} as const;

export type ModelSource = keyof typeof MODEL_SOURCE_SCHEMAS;
export const MODEL_SOURCES = Object.keys(MODEL_SOURCE_SCHEMAS) as ModelSource[];

/**
 * Sources whose records are about adults, filed under the adult's comuna, and reach a child through
 * its filiation wherever the adult lives: a comuna's scoring reads every comuna's records of these
 * (a parent in prison registered in another comuna is still the child's parent), as training reads
 * the whole cut.
 */
export const CROSS_COMUNA_SOURCES: ReadonlySet<ModelSource> = new Set<ModelSource>(['privacion_libertad']);

/** Every model source's records for one comuna and cut. */
export type CuratedRecords = {
  readonly [S in ModelSource]: readonly z.infer<(typeof MODEL_SOURCE_SCHEMAS)[S]>[];
};

export class CuratedDataError extends Error {
  override readonly name = 'CuratedDataError';
}

/** Parses NDJSON text with `schema`, naming the object and line of the first bad record. */
export function parseNdjson<T>(text: string, schema: z.ZodType<T>, where: string): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CuratedDataError(`${where}, line ${i + 1}: not JSON`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CuratedDataError(`${where}, line ${i + 1}: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    out.push(parsed.data);
  }
  return out;
}

/**
 * Curated records as the scoring stage reads them back: each NDJSON line is checked against the
 * shape ingest writes, so that a corrupted or foreign object stops scoring with a clear error
 * instead of producing wrong indicators. Only the fields indicators use are kept.
 */
import { z } from 'zod';
import { HEALTH_ATTENTIONS } from '../../ingest/domain/contracts/salud';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const id = z.string().min(1);

export const rshRecordSchema = z.object({
  childId: id,
  comuna: z.string().regex(/^\d{5}$/),
  birthDate: isoDate,
  sex: z.enum(['F', 'M']),
  householdId: id,
  rshBracket: z.number(),
  householdSize: z.number(),
  bedrooms: z.number(),
  incomePerCapita: z.number(),
  headSchoolingYears: z.number(),
  singleParent: z.boolean(),
  disabilityInHousehold: z.boolean(),
  indigenous: z.boolean(),
  migrant: z.boolean(),
  /** Absent when the registry extract has no zone for the dwelling. */
  rural: z.boolean().optional(),
  surveyDate: isoDate,
});

export const educationRecordSchema = z.object({
  childId: id,
  month: z.string().regex(/^\d{4}-\d{2}$/),
  attendancePct: z.number().min(0).max(100),
  repeating: z.boolean(),
  withdrawn: z.boolean(),
});

export const healthRecordSchema = z.object({
  childId: id,
  attentionDate: isoDate,
  attention: z.enum(HEALTH_ATTENTIONS),
});

export const policeRecordSchema = z.object({
  childId: id,
  eventDate: isoDate,
  role: z.enum(['VICTIMA', 'INFRACTOR']),
});

export const protectionRecordSchema = z.object({
  childId: id,
  entryDate: isoDate,
  exitDate: isoDate.optional(),
});

/** Civil registry: the child's filiation (parents' pseudonyms) and death, if registered. */
export const civilRecordSchema = z.object({
  childId: id,
  birthDate: isoDate,
  deathDate: isoDate.optional(),
  motherId: id.optional(),
  fatherId: id.optional(),
});

/** Prison service: `childId` is the adult's pseudonym, in the same key space as `motherId`/`fatherId`. */
export const custodyRecordSchema = z.object({
  childId: id,
  admissionDate: isoDate,
  releaseDate: isoDate.optional(),
});

export type RshRecord = z.infer<typeof rshRecordSchema>;
export type EducationRecord = z.infer<typeof educationRecordSchema>;
export type HealthRecord = z.infer<typeof healthRecordSchema>;
export type PoliceRecord = z.infer<typeof policeRecordSchema>;
export type ProtectionRecord = z.infer<typeof protectionRecordSchema>;
export type CivilRecord = z.infer<typeof civilRecordSchema>;
export type CustodyRecord = z.infer<typeof custodyRecordSchema>;

/** The curated sources the model's indicators are computed from, with the shape read from each. */
export const MODEL_SOURCE_SCHEMAS = {
  rsh: rshRecordSchema,
  educacion: educationRecordSchema,
  salud: healthRecordSchema,
  policia: policeRecordSchema,
  proteccion: protectionRecordSchema,
  registro_civil: civilRecordSchema,
  privacion_libertad: custodyRecordSchema,
} as const;

export type ModelSource = keyof typeof MODEL_SOURCE_SCHEMAS;
export const MODEL_SOURCES = Object.keys(MODEL_SOURCE_SCHEMAS) as ModelSource[];

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

/**
 * Curated records as ingest writes them and every reader relies on them: for each source, the
 * fields its records carry besides the envelope (`childId`, `source`, `cut`, `comuna`) that ingest
 * adds. A source contract's `curate()` is typed with its source's record (`CuratedFields`), so the
 * compiler checks that what the writer produces is what the readers (scoring, training) parse.
 * Readers check each NDJSON line against these schemas, so that a corrupted or foreign object
 * stops them with a clear error; a reader keeps only the fields named here.
 */
import { z } from 'zod';

export const HEALTH_ATTENTIONS = [
  'CONTROL_SANO',
  'SALUD_MENTAL',
  'TRATAMIENTO_DROGAS',
  'CONTROL_EMBARAZO',
  'URGENCIA',
] as const;

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

/** Each source's curated record schema, by source id. */
export const CURATED_RECORD_SCHEMAS = {
  rsh: rshRecordSchema,
  educacion: educationRecordSchema,
  salud: healthRecordSchema,
  policia: policeRecordSchema,
  proteccion: protectionRecordSchema,
  registro_civil: civilRecordSchema,
  privacion_libertad: custodyRecordSchema,
} as const;

export type CuratedSource = keyof typeof CURATED_RECORD_SCHEMAS;

/** What a source contract's `curate()` returns: its record without the envelope ingest adds. */
export type CuratedFields<R extends { readonly childId: string }> = Omit<R, 'childId' | 'comuna'>;

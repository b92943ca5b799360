/**
 * Curated records as the scoring stage reads them back: each NDJSON line is checked against the
 * shape ingest writes, so that a corrupted or foreign object stops scoring with a clear error
 * instead of producing wrong indicators.
 */
import { z } from 'zod';
import type { EducationRecord, RshRecord } from './indicators';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const rshRecordSchema = z.object({
  childId: z.string().min(1),
  comuna: z.string().regex(/^\d{5}$/),
  birthDate: isoDate,
  sex: z.enum(['F', 'M']),
  householdId: z.string().min(1),
  rshBracket: z.number(),
  householdSize: z.number(),
  bedrooms: z.number(),
  incomePerCapita: z.number(),
  headSchoolingYears: z.number(),
  singleParent: z.boolean(),
  disabilityInHousehold: z.boolean(),
  indigenous: z.boolean(),
  migrant: z.boolean(),
  surveyDate: isoDate,
}) satisfies z.ZodType<RshRecord>;

export const educationRecordSchema = z.object({
  childId: z.string().min(1),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  attendancePct: z.number().min(0).max(100),
  repeating: z.boolean(),
  withdrawn: z.boolean(),
}) satisfies z.ZodType<EducationRecord>;

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

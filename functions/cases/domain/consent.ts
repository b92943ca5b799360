/**
 * The family's informed consent for the use of its data, as the SAN platform keeps it: who gave it
 * (their relation to the child), when, for which uses, and the reference of the signed document;
 * it can be withdrawn, from a date, with a note. Without consent in force for a use, that use stops:
 * the case does not move to diagnóstico, and no personal data leaves the OLN in a referral.
 * Plain functions and schemas over plain data.
 */
import { z } from 'zod';

export const CONSENT_PURPOSES = ['intervencion', 'derivacion', 'mesa_de_casos'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const CONSENT_PURPOSE_LABELS: Readonly<Record<ConsentPurpose, string>> = {
  intervencion: 'intervención de la OLN con la familia',
  derivacion: 'derivación a programas de la red, con los datos necesarios',
  mesa_de_casos: 'presentación del caso en la mesa de casos intersectorial',
};

export const CONSENT_RELATIONS = [
  'madre',
  'padre',
  'tutor_legal',
  'cuidador_principal',
  'adolescente',
] as const;

const isoDay = z.iso.date({ error: 'debe ser una fecha aaaa-mm-dd' });

/** What the API takes to record a consent. */
export const consentInputSchema = z.strictObject({
  givenByRelation: z.enum(CONSENT_RELATIONS, {
    error: `debe ser ${CONSENT_RELATIONS.join(', ')}`,
  }),
  givenOn: isoDay,
  purposes: z
    .array(z.enum(CONSENT_PURPOSES, { error: `debe ser ${CONSENT_PURPOSES.join(', ')}` }))
    .min(1, 'indique al menos un uso consentido'),
  /** Where the signed document is kept (a file number or document-system reference), never the document itself. */
  signedDocumentRef: z.string().trim().min(3, 'indique la referencia del documento firmado').max(200),
});
export type ConsentInput = z.infer<typeof consentInputSchema>;

export interface ConsentRecord extends ConsentInput {
  readonly consentId: string;
  readonly recordedBy: string;
  readonly recordedAt: string;
  readonly withdrawnOn?: string;
  readonly withdrawalNote?: string;
}

/** Whether `record` covers `purpose` on `day` (yyyy-mm-dd): given by then and not withdrawn by then. */
export function covers(record: ConsentRecord, purpose: ConsentPurpose, day: string): boolean {
  if (!record.purposes.includes(purpose) || record.givenOn > day) return false;
  return record.withdrawnOn === undefined || record.withdrawnOn > day;
}

/** Whether any of the case's consents covers `purpose` on `day`. */
export function consentInForce(
  records: readonly ConsentRecord[],
  purpose: ConsentPurpose,
  day: string,
): boolean {
  return records.some((r) => covers(r, purpose, day));
}

export class ConsentError extends Error {
  override readonly name = 'ConsentError';
}

/** Withdraws a consent from `day`, with a note; refuses one already withdrawn or a day before it was given. */
export function withdraw(record: ConsentRecord, day: string, note: string): ConsentRecord {
  if (record.withdrawnOn !== undefined) {
    throw new ConsentError(`el consentimiento ${record.consentId} ya fue retirado el ${record.withdrawnOn}`);
  }
  if (day < record.givenOn) {
    throw new ConsentError(`no se puede retirar el ${day} un consentimiento dado el ${record.givenOn}`);
  }
  if (note.trim().length === 0)
    throw new ConsentError('indique cómo y por qué la familia retiró su consentimiento');
  return { ...record, withdrawnOn: day, withdrawalNote: note.trim() };
}

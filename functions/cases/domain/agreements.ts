/**
 * The mesa de casos' follow-up matrix: each agreement reached for a case at the intersectoral table,
 * with the institution responsible, a due date, its status and notes. The lesson of the mesas is
 * that referral is not enough: an agreement is followed until it is met or known not to be, and an
 * open one past its due date is overdue on the case, on the child's nómina entry and in the
 * comuna's list. Plain functions and schemas over plain data.
 */
import { z } from 'zod';

export const AGREEMENT_STATUSES = ['pendiente', 'en_curso', 'cumplido', 'no_cumplido'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** Statuses that close an agreement's follow-up. */
export const CLOSED_AGREEMENT: ReadonlySet<AgreementStatus> = new Set(['cumplido', 'no_cumplido']);

/** Institutions of the mesa de casos (DOMAIN: the sectors that sit at the table). */
export const MESA_INSTITUTIONS = [
  'desarrollo_social',
  'educacion',
  'salud',
  'senda',
  'junaeb',
  'proteccion_especializada',
  'carabineros',
  'pdi',
  'prevencion_del_delito',
  'trabajo',
  'municipio',
  'oln',
] as const;

export const agreementInputSchema = z.strictObject({
  agreement: z.string().trim().min(3, 'describa el acuerdo').max(1000),
  institution: z.enum(MESA_INSTITUTIONS, { error: `debe ser ${MESA_INSTITUTIONS.join(', ')}` }),
  dueOn: z.iso.date({ error: 'debe ser una fecha aaaa-mm-dd' }),
  status: z
    .enum(AGREEMENT_STATUSES, { error: `debe ser ${AGREEMENT_STATUSES.join(', ')}` })
    .default('pendiente'),
  notes: z.string().trim().max(2000).optional(),
});
export type AgreementInput = z.infer<typeof agreementInputSchema>;

export interface Agreement extends AgreementInput {
  readonly agreementId: string;
  readonly caseId: string;
  /** The day of the mesa de casos session that reached it. */
  readonly sessionOn: string;
}

/** Whether the agreement is still open past its due date, as of `today` (yyyy-mm-dd). */
export function isOverdue(a: Pick<Agreement, 'status' | 'dueOn'>, today: string): boolean {
  return !CLOSED_AGREEMENT.has(a.status) && a.dueOn < today;
}

/** The overdue agreements, the longest overdue first. */
export function overdueAgreements<A extends Agreement>(agreements: readonly A[], today: string): A[] {
  return agreements
    .filter((a) => isOverdue(a, today))
    .sort((x, y) =>
      x.dueOn < y.dueOn ? -1 : x.dueOn > y.dueOn ? 1 : x.agreementId < y.agreementId ? -1 : 1,
    );
}

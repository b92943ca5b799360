/**
 * The routes that record the work on a case: consent, NCFAS, the PAF and its sessions, mesa de
 * casos agreements and referrals. Each is written over the version the caller read (`If-Match`).
 */
import { z } from 'zod';
import { defineRoute, permission } from '../../shared/api/route';
import { AGREEMENT_STATUSES, agreementInputSchema } from '../domain/agreements';
import { consentInputSchema } from '../domain/consent';
import { NCFAS_KINDS, ncfasRatingsSchema } from '../domain/ncfas';
import { pafGoalSchema, sessionSchema } from '../domain/paf';
import { PROGRAMS, REFERRAL_STATES } from '../domain/referrals';
import { caseParams, changedCase, ifMatch, isoDay, itemIdParam } from './route-parts';

export const recordConsentRoute = defineRoute({
  method: 'POST',
  path: '/v1/comunas/{comuna}/cases/{caseId}/consents',
  operationId: 'recordConsent',
  tag: 'casos',
  summary: 'Registrar el consentimiento informado de la familia',
  description:
    'Quién lo dio, cuándo, para qué usos y la referencia del documento firmado (nunca el documento).',
  access: permission('case:work', 'coordinador de la comuna; gestor de casos asignado'),
  params: caseParams,
  headers: ifMatch,
  body: consentInputSchema,
  responses: changedCase,
});

export const withdrawConsentRoute = defineRoute({
  method: 'POST',
  path: '/v1/comunas/{comuna}/cases/{caseId}/consents/{consentId}/withdrawal',
  operationId: 'withdrawConsent',
  tag: 'casos',
  summary: 'Registrar que la familia retiró su consentimiento',
  access: permission('case:work', 'coordinador de la comuna; gestor de casos asignado'),
  params: caseParams.extend({ consentId: itemIdParam }),
  headers: ifMatch,
  body: z.strictObject({
    withdrawnOn: isoDay,
    note: z.string().trim().min(1, 'indique cómo y por qué la familia retiró su consentimiento').max(2000),
  }),
  responses: changedCase,
});

export const recordNcfasRoute = defineRoute({
  method: 'PUT',
  path: '/v1/comunas/{comuna}/cases/{caseId}/ncfas/{kind}',
  operationId: 'recordNcfas',
  tag: 'casos',
  summary: 'Registrar la evaluación NCFAS de ingreso o de cierre',
  description:
    'Los 10 dominios, cada uno en la escala +2 a −3, `no_aplica` o `sin_informacion`. La de ingreso se registra en diagnóstico o elaboración del PAF; la de cierre, en cierre del PAF o seguimiento.',
  access: permission('case:work', 'coordinador de la comuna; gestor o terapeuta asignado'),
  params: caseParams.extend({ kind: z.enum(NCFAS_KINDS, { error: 'debe ser ingreso o cierre' }) }),
  headers: ifMatch,
  body: z.strictObject({ assessedOn: isoDay, ratings: ncfasRatingsSchema }),
  responses: changedCase,
});

export const setPafRoute = defineRoute({
  method: 'PUT',
  path: '/v1/comunas/{comuna}/cases/{caseId}/paf',
  operationId: 'setPaf',
  tag: 'casos',
  summary: 'Elaborar o actualizar el PAF: metas por dominio NCFAS, acciones, responsables, plazos y logro',
  access: permission('case:work', 'coordinador de la comuna; gestor o terapeuta asignado'),
  params: caseParams,
  headers: ifMatch,
  body: z.strictObject({ goals: z.array(pafGoalSchema).min(1, 'el PAF necesita al menos una meta').max(30) }),
  responses: changedCase,
});

export const addSessionRoute = defineRoute({
  method: 'POST',
  path: '/v1/comunas/{comuna}/cases/{caseId}/sessions',
  operationId: 'addSession',
  tag: 'casos',
  summary: 'Registrar una sesión de terapia familiar',
  description: 'Hasta 12 sesiones de terapia (8 individuales y 4 grupales), más las de seguimiento y cierre.',
  access: permission('case:work', 'coordinador de la comuna; terapeuta asignado'),
  params: caseParams,
  headers: ifMatch,
  body: sessionSchema,
  responses: changedCase,
});

export const addAgreementRoute = defineRoute({
  method: 'POST',
  path: '/v1/comunas/{comuna}/cases/{caseId}/agreements',
  operationId: 'addAgreement',
  tag: 'casos',
  summary: 'Registrar un acuerdo de la mesa de casos (matriz de seguimiento)',
  description: 'Requiere el consentimiento vigente de la familia para presentar el caso en la mesa.',
  access: permission('case:work', 'coordinador de la comuna; gestor de casos asignado'),
  params: caseParams,
  headers: ifMatch,
  body: agreementInputSchema.extend({ sessionOn: isoDay }),
  responses: changedCase,
});

export const updateAgreementRoute = defineRoute({
  method: 'PATCH',
  path: '/v1/comunas/{comuna}/cases/{caseId}/agreements/{agreementId}',
  operationId: 'updateAgreement',
  tag: 'casos',
  summary: 'Actualizar el seguimiento de un acuerdo: estado, notas o plazo',
  access: permission('case:work', 'coordinador de la comuna; gestor de casos asignado'),
  params: caseParams.extend({ agreementId: itemIdParam }),
  headers: ifMatch,
  body: z
    .strictObject({
      status: z.enum(AGREEMENT_STATUSES, { error: `debe ser ${AGREEMENT_STATUSES.join(', ')}` }).optional(),
      notes: z.string().trim().max(2000).optional(),
      dueOn: isoDay.optional(),
    })
    .refine((b) => Object.keys(b).length > 0, { message: 'indique status, notes o dueOn' }),
  responses: changedCase,
});

export const addReferralRoute = defineRoute({
  method: 'POST',
  path: '/v1/comunas/{comuna}/cases/{caseId}/referrals',
  operationId: 'addReferral',
  tag: 'casos',
  summary: 'Derivar a un programa de la oferta',
  description:
    'Con `withPersonalData: true` la derivación lleva datos personales y requiere el consentimiento vigente de la familia para derivaciones; sin él, sale solo con el seudónimo.',
  access: permission('case:work', 'coordinador de la comuna; gestor de casos asignado'),
  params: caseParams,
  headers: ifMatch,
  body: z.strictObject({
    program: z.enum(PROGRAMS, { error: `debe ser ${PROGRAMS.join(', ')}` }),
    withPersonalData: z.boolean({ error: 'indique si la derivación lleva datos personales (true o false)' }),
    note: z.string().trim().max(2000).optional(),
  }),
  responses: changedCase,
});

export const moveReferralRoute = defineRoute({
  method: 'PATCH',
  path: '/v1/comunas/{comuna}/cases/{caseId}/referrals/{referralId}',
  operationId: 'moveReferral',
  tag: 'casos',
  summary: 'Registrar el avance de una derivación (aceptada, rechazada, en lista de espera, atendida)',
  access: permission('case:work', 'coordinador de la comuna; gestor de casos asignado'),
  params: caseParams.extend({ referralId: itemIdParam }),
  headers: ifMatch,
  body: z.strictObject({
    state: z.enum(REFERRAL_STATES, { error: `debe ser ${REFERRAL_STATES.join(', ')}` }),
    note: z.string().trim().max(2000).optional(),
  }),
  responses: changedCase,
});

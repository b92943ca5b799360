/**
 * The case feature's HTTP routes: the intake queue and decisions, the comuna's cases, their
 * workflow and the work recorded on them, assignment under the caps and the waiting list. Every
 * change of a case is written over the version the caller read: `If-Match` with the case's ETag
 * (`"<version>"`), 428 without it, 412 when it is stale.
 */
import { z } from 'zod';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { childIdParam, comunaParam, comunaRefSchema } from '../../shared/api/schemas';
import { AGREEMENT_STATUSES, agreementInputSchema } from '../domain/agreements';
import { CASE_ACTIONS, CASE_STATES } from '../domain/case-workflow';
import { consentInputSchema } from '../domain/consent';
import { DISCARD_REASONS } from '../domain/intake';
import { NCFAS_KINDS, ncfasRatingsSchema } from '../domain/ncfas';
import { pafGoalSchema, sessionSchema } from '../domain/paf';
import { PROGRAMS, REFERRAL_STATES } from '../domain/referrals';
import { caseSummaryViewSchema, caseViewSchema } from './views';

const OLN = 'roles OLN de la comuna; roles regionales y central (resumen)';
const isoDay = z.iso.date({ error: 'debe ser una fecha aaaa-mm-dd' });
const caseIdParam = z
  .string()
  .regex(/^c-[A-Za-z0-9_-]{22}$/, 'no es un identificador de caso (c-…)')
  .meta({ description: 'Identificador del caso', examples: ['c-AbCdEfGhIjKlMnOpQrStUv'] });
const itemIdParam = z.string().regex(/^[a-z]+-[0-9a-f]{16}$/, 'no es un identificador de este caso');
const caseParams = z.object({ comuna: comunaParam, caseId: caseIdParam });
const ifMatch = z.object({
  'if-match': z.string().optional().meta({
    description: 'El ETag del caso leído (`"<versión>"`): el cambio se escribe solo sobre esa versión',
  }),
});
const pageQuery = {
  limit: z.coerce
    .number({ error: 'debe ser un número entero de 1 a 200' })
    .int('debe ser un número entero de 1 a 200')
    .min(1, 'debe ser un número entero de 1 a 200')
    .max(200, 'debe ser un número entero de 1 a 200')
    .default(50),
  cursor: z.string().max(2048).optional().meta({ description: 'El `nextCursor` de la página anterior' }),
};

const caseExample = {
  view: 'resumen',
  caseId: 'c-AbCdEfGhIjKlMnOpQrStUv',
  comuna: { code: '13101', name: 'Santiago' },
  childId: 'n-abcdefghijklmnopqrstuv',
  family: 'h-abcdefghijklmnopqrstuv',
  origin: 'predictivo',
  state: 'diagnostico',
  stateLabel: 'diagnóstico',
  openedAt: '2026-11-05T09:00:00.000Z',
  gestor: 'gestor-13101-01',
  terapeuta: null,
  waiting: [],
  ventile: 20,
  sessions: 0,
  agreements: 1,
  overdueAgreements: 0,
  referrals: [{ program: 'abriendo_caminos', state: 'enviada' }],
  ncfas: { ingreso: true, cierre: false },
  version: 5,
};

/** What every change of a case answers: the case as the caller may see it, with its new ETag. */
const changedCase = {
  200: {
    description: 'El caso, ya cambiado; la cabecera `ETag` trae su nueva versión',
    schema: caseViewSchema,
    example: caseExample,
  },
  ...errorResponses(400, 403, 404, 409, 412, 415, 422, 428),
} as const;

const decisionSchema = z.object({
  childId: z.string(),
  kind: z.enum(['aceptar', 'descartar']),
  reason: z.enum(DISCARD_REASONS).nullable(),
  reasonLabel: z.string().nullable(),
  note: z.string().nullable(),
  referralRequired: z.boolean().meta({
    description: 'El motivo obliga a derivar a protección especializada (y a denunciar si es delito)',
  }),
  origin: z.enum(['predictivo', 'manual', 'experto']),
  probability: z.number().nullable(),
  ventile: z.number().int().nullable(),
  modelVersion: z.string().nullable(),
  enteredAt: z.string(),
  daysOnRoster: z.number().int(),
  by: z.object({ subject: z.string(), role: z.string() }),
  at: z.string(),
});

export const listIntakeRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/intake',
  operationId: 'listIntake',
  tag: 'casos',
  summary: 'La bandeja de ingreso: los niños de la nómina priorizada y la decisión sobre cada uno',
  description:
    'Los niños con una alerta abierta y los de la cabeza del modelo a la capacidad de la OLN, en el orden de la nómina, con la fecha en que entraron, el plazo de 20 días para descartar y la decisión tomada. `status=vencida` lista los que siguen sin decisión pasado el plazo.',
  access: permission('intake:read', 'coordinador de la comuna; coordinador regional; administrador central'),
  params: z.object({ comuna: comunaParam }),
  query: z.object({
    status: z
      .enum(['todas', 'pendiente', 'vencida', 'decidida'], {
        error: 'debe ser todas, pendiente, vencida o decidida',
      })
      .default('todas'),
  }),
  responses: {
    200: {
      description: 'Las entradas de la bandeja',
      schema: z.object({
        comuna: comunaRefSchema,
        entries: z.array(
          z.object({
            childId: z.string(),
            origin: z.enum(['predictivo', 'manual', 'experto']),
            probability: z.number().nullable(),
            ventile: z.number().int().nullable(),
            urgent: z.boolean(),
            enteredAt: z.string(),
            discardDeadline: z.string(),
            status: z.enum(['pendiente', 'vencida', 'decidida']),
            decision: decisionSchema.nullable(),
          }),
        ),
      }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        entries: [
          {
            childId: 'n-abcdefghijklmnopqrstuv',
            origin: 'predictivo',
            probability: 0.41,
            ventile: 20,
            urgent: false,
            enteredAt: '2026-11-02T10:00:00.000Z',
            discardDeadline: '2026-11-22T10:00:00.000Z',
            status: 'pendiente',
            decision: null,
          },
        ],
      },
    },
    ...errorResponses(400, 403),
  },
});

export const decideIntakeRoute = defineRoute({
  method: 'POST',
  path: '/v1/comunas/{comuna}/intake/{childId}',
  operationId: 'decideIntake',
  tag: 'casos',
  summary: 'Aceptar (abre un caso en pre-diagnóstico) o descartar un niño de la nómina',
  description:
    'Descartar exige uno de los motivos del SAN y una nota, dentro de 20 días desde que el niño entró a la nómina. Un niño de la nómina fuera de la cabeza y sin alerta se puede ingresar como `manual` o `experto` (derivado por la mesa de casos), con una nota. Cada decisión queda registrada con el puntaje, el ventil y el modelo que el niño tenía. Una entrada se decide una vez: la segunda decisión responde 409 `already_decided`.',
  access: permission('case:intake', 'coordinador de la comuna'),
  params: z.object({ comuna: comunaParam, childId: childIdParam }),
  body: z.discriminatedUnion(
    'decision',
    [
      z.strictObject({
        decision: z.literal('aceptar'),
        origin: z.enum(['manual', 'experto']).optional().meta({
          description: 'Solo para ingresar a un niño que no está en la nómina priorizada',
        }),
        note: z.string().trim().max(2000).optional(),
      }),
      z.strictObject({
        decision: z.literal('descartar'),
        reason: z.enum(DISCARD_REASONS, { error: `debe ser ${DISCARD_REASONS.join(', ')}` }),
        note: z.string().trim().min(1, 'escriba una nota que explique la decisión').max(2000),
      }),
    ],
    { error: 'decision debe ser aceptar o descartar' },
  ),
  responses: {
    201: {
      description: 'La decisión registrada y, si se aceptó, el caso abierto (con su ETag)',
      schema: z.object({ decision: decisionSchema, case: caseViewSchema.nullable() }),
      example: {
        decision: {
          childId: 'n-abcdefghijklmnopqrstuv',
          kind: 'descartar',
          reason: 'familia_no_ubicable',
          reasonLabel: 'No se logra ubicar a la familia',
          note: 'tres visitas sin respuesta',
          referralRequired: false,
          origin: 'predictivo',
          probability: 0.41,
          ventile: 20,
          modelVersion: 'logistic-2024-b6b69222',
          enteredAt: '2026-11-02T10:00:00.000Z',
          daysOnRoster: 5,
          by: { subject: 'demo-coordinador', role: 'coordinador' },
          at: '2026-11-07T15:00:00.000Z',
        },
        case: null,
      },
    },
    ...errorResponses(400, 403, 404, 409, 415, 422),
  },
});

export const getIntakeRatesRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/intake-rates',
  operationId: 'getIntakeRates',
  tag: 'casos',
  summary: 'Tasas de descarte y de corrección al modelo de una comuna',
  description:
    'Una corrección es una decisión que se aparta de la prioridad del modelo: descartar a un niño de origen predictivo, o aceptar a uno que el modelo no priorizó (manual o experto).',
  access: permission('intake:read', 'coordinador de la comuna; coordinador regional; administrador central'),
  params: z.object({ comuna: comunaParam }),
  responses: {
    200: {
      description: 'Las tasas',
      schema: z.object({
        comuna: comunaRefSchema,
        decisions: z.number().int(),
        accepted: z.number().int(),
        discarded: z.number().int(),
        discardRate: z.number().nullable(),
        overrides: z.number().int(),
        overrideRate: z.number().nullable(),
        discardsByReason: z.record(z.string(), z.number().int()),
        overdue: z.number().int().meta({ description: 'Entradas sin decisión pasado el plazo de 20 días' }),
      }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        decisions: 40,
        accepted: 34,
        discarded: 6,
        discardRate: 0.15,
        overrides: 8,
        overrideRate: 0.2,
        discardsByReason: { familia_no_ubicable: 4, atendido_proteccion_especializada: 2 },
        overdue: 3,
      },
    },
    ...errorResponses(400, 403),
  },
});

export const listCasesRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/cases',
  operationId: 'listCases',
  tag: 'casos',
  summary: 'Los casos de una comuna (resumen), por páginas',
  description:
    'Del más antiguo al más reciente; con `state` o `assignedTo`, solo los que cumplen (una página puede traer menos casos que `limit` y seguir con `nextCursor`).',
  access: permission('case:read', OLN),
  params: z.object({ comuna: comunaParam }),
  query: z.object({
    state: z.enum(CASE_STATES, { error: `debe ser ${CASE_STATES.join(', ')}` }).optional(),
    assignedTo: z.string().trim().min(1).max(128).optional().meta({
      description: 'Solo los casos de este gestor o terapeuta (su usuario), o `me` para los propios',
    }),
    ...pageQuery,
  }),
  responses: {
    200: {
      description: 'Una página de casos, del más antiguo al más reciente',
      schema: z.object({ cases: z.array(caseSummaryViewSchema), nextCursor: z.string().nullable() }),
      example: { cases: [caseExample], nextCursor: null },
    },
    ...errorResponses(400, 403),
  },
});

export const getCaseRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/cases/{caseId}',
  operationId: 'getCase',
  tag: 'casos',
  summary: 'Un caso: completo para el coordinador y los profesionales asignados; resumen para los demás',
  access: permission('case:read', OLN),
  params: caseParams,
  responses: {
    200: {
      description: 'El caso; la cabecera `ETag` trae su versión',
      schema: caseViewSchema,
      example: caseExample,
    },
    ...errorResponses(400, 403, 404),
  },
});

export const transitionCaseRoute = defineRoute({
  method: 'POST',
  path: '/v1/comunas/{comuna}/cases/{caseId}/transitions',
  operationId: 'transitionCase',
  tag: 'casos',
  summary: 'Mover el caso por el flujo del SAN',
  description:
    'Solo las transiciones permitidas, cada una por los roles que pueden hacerla y con sus condiciones previas (consentimiento antes del diagnóstico, NCFAS de ingreso antes del PAF, NCFAS de cierre antes del egreso). Una transición no permitida responde 409 con `allowed`; una condición que falta, 409 con `missing`. Al egresar o rechazarse, el caso libera los cupos de sus profesionales.',
  access: permission('case:work', 'coordinador de la comuna; gestor de casos o terapeuta asignado'),
  params: caseParams,
  headers: ifMatch,
  body: z.strictObject({
    action: z.enum(CASE_ACTIONS, { error: `debe ser ${CASE_ACTIONS.join(', ')}` }),
    reason: z.string().trim().max(2000).optional(),
  }),
  responses: {
    ...changedCase,
    200: {
      description:
        'El caso movido (ETag nuevo) y los cupos que liberó, cada uno con el caso de la lista de espera al que se ofrece',
      schema: z.object({
        case: caseViewSchema,
        freed: z.array(
          z.object({
            role: z.enum(['gestor_casos', 'terapeuta_familiar']),
            worker: z.string(),
            offeredTo: z.string().nullable(),
          }),
        ),
      }),
      example: {
        case: { ...caseExample, state: 'egreso', stateLabel: 'egreso', version: 31 },
        freed: [{ role: 'gestor_casos', worker: 'gestor-13101-01', offeredTo: 'c-ZyXwVuTsRqPoNmLkJiHgFe' }],
      },
    },
  },
});

export const assignCaseRoute = defineRoute({
  method: 'POST',
  path: '/v1/comunas/{comuna}/cases/{caseId}/assignments',
  operationId: 'assignCase',
  tag: 'casos',
  summary: 'Asignar un gestor de casos o un terapeuta familiar, dentro de los topes',
  description:
    'Tope: 40 casos activos por gestor, 25 familias por terapeuta (configurables por comuna). Sobre el tope responde 409 `caseload_cap_reached` con el tope y la carga, y el caso queda en la lista de espera de la comuna (`waitingPosition`); si otros casos esperan, 409 `waiting_list_first` con el caso al que se ofrece el próximo cupo. Un caso que ya tiene profesional en ese rol (una reasignación) no entra a la lista: sigue con el suyo.',
  access: permission('case:assign', 'coordinador de la comuna'),
  params: caseParams,
  headers: ifMatch,
  body: z.strictObject({
    role: z.enum(['gestor_casos', 'terapeuta_familiar'], {
      error: 'debe ser gestor_casos o terapeuta_familiar',
    }),
    worker: z.string().trim().min(1, 'indique el usuario del profesional').max(128),
  }),
  responses: changedCase,
});

const waitingRows = z.array(
  z.object({
    position: z.number().int(),
    caseId: z.string(),
    childId: z.string(),
    urgent: z.boolean(),
    ventile: z.number().int().nullable(),
    waitingSince: z.string(),
  }),
);

export const getWaitingListRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/waiting-list',
  operationId: 'getWaitingList',
  tag: 'casos',
  summary: 'La lista de espera de la comuna, en el orden en que se ofrecen los cupos',
  description:
    'Primero los casos con una alerta urgente abierta, luego por ventil (más alto primero), luego por tiempo de espera.',
  access: permission('case:read', OLN),
  params: z.object({ comuna: comunaParam }),
  responses: {
    200: {
      description: 'Las listas, por rol',
      schema: z.object({
        comuna: comunaRefSchema,
        lists: z.object({ gestor_casos: waitingRows, terapeuta_familiar: waitingRows }),
      }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        lists: {
          gestor_casos: [
            {
              position: 1,
              caseId: 'c-ZyXwVuTsRqPoNmLkJiHgFe',
              childId: 'n-abcdefghijklmnopqrstuv',
              urgent: true,
              ventile: 18,
              waitingSince: '2026-11-20T09:00:00.000Z',
            },
          ],
          terapeuta_familiar: [],
        },
      },
    },
    ...errorResponses(400, 403),
  },
});

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

export const listOverdueAgreementsRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/agreements/overdue',
  operationId: 'listOverdueAgreements',
  tag: 'casos',
  summary: 'Los acuerdos de la mesa de casos vencidos de la comuna, el más atrasado primero',
  access: permission('case:read', OLN),
  params: z.object({ comuna: comunaParam }),
  responses: {
    200: {
      description: 'Los acuerdos abiertos con el plazo cumplido',
      schema: z.object({
        comuna: comunaRefSchema,
        agreements: z.array(
          z.object({
            caseId: z.string(),
            childId: z.string(),
            agreementId: z.string(),
            institution: z.string(),
            dueOn: z.string(),
            status: z.enum(AGREEMENT_STATUSES),
            daysOverdue: z.number().int(),
          }),
        ),
      }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        agreements: [
          {
            caseId: 'c-AbCdEfGhIjKlMnOpQrStUv',
            childId: 'n-abcdefghijklmnopqrstuv',
            agreementId: 'acuerdo-0123456789abcdef',
            institution: 'educacion',
            dueOn: '2026-11-30',
            status: 'en_curso',
            daysOverdue: 7,
          },
        ],
      },
    },
    ...errorResponses(400, 403),
  },
});

export const listProgramsRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/programs',
  operationId: 'listPrograms',
  tag: 'casos',
  summary: 'El catálogo de programas de la oferta, con su población objetivo y sus cupos en la comuna',
  access: permission('case:read', OLN),
  params: z.object({ comuna: comunaParam }),
  responses: {
    200: {
      description: 'El catálogo',
      schema: z.object({
        comuna: comunaRefSchema,
        programs: z.array(
          z.object({
            program: z.enum(PROGRAMS),
            name: z.string(),
            target: z.string(),
            places: z.number().int().nullable(),
            inUse: z.number().int().meta({ description: 'Derivaciones aceptadas o en curso de la comuna' }),
          }),
        ),
      }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        programs: [
          {
            program: 'abriendo_caminos',
            name: 'Seguridades y Oportunidades: Abriendo Caminos',
            target:
              'Niños, niñas y adolescentes con un adulto significativo privado de libertad, y su cuidador',
            places: 15,
            inUse: 4,
          },
        ],
      },
    },
    ...errorResponses(400, 403),
  },
});

const shareSchema = z.object({
  count: z.number().int(),
  of: z.number().int(),
  share: z.number().nullable().meta({ description: 'count / of; null sin denominador' }),
});
const indicatorsSchema = z.object({
  leavers: z.number().int().meta({ description: 'Casos egresados' }),
  pafAtLeast50: shareSchema.meta({
    description: 'Egresados con el PAF logrado al menos en 50 %, de los que tienen PAF',
  }),
  ncfasImproved: shareSchema.meta({
    description: 'Egresados cuya NCFAS mejoró en promedio, de los que tienen ambas evaluaciones',
  }),
  ncfasMeanChange: z
    .number()
    .nullable()
    .meta({ description: 'Cambio medio por dominio, de ingreso a cierre' }),
  notReEntered: shareSchema.meta({
    description:
      'Egresados que no reingresaron a protección en 24 meses, de aquellos cuyos 24 meses cubren los datos',
  }),
  reEntryPending: z
    .number()
    .int()
    .meta({ description: 'Egresados cuyos 24 meses los datos de protección aún no cubren' }),
});

export const getOutcomesRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/outcomes',
  operationId: 'getOutcomes',
  tag: 'casos',
  summary: 'Indicadores de resultado de la OLN: PAF logrado, cambio NCFAS y no reingreso a protección',
  description:
    'Sobre los casos egresados de la comuna, en total y por programa al que fueron derivados (derivación aceptada o atendida). El reingreso se busca en el último extracto de protección de la comuna; un egresado cuenta solo cuando ese extracto cubre sus 24 meses.',
  access: permission('intake:read', 'coordinador de la comuna; coordinador regional; administrador central'),
  params: z.object({ comuna: comunaParam }),
  responses: {
    200: {
      description: 'Los indicadores',
      schema: z.object({
        comuna: comunaRefSchema,
        protectionCut: z
          .string()
          .nullable()
          .meta({ description: 'El corte del extracto de protección consultado' }),
        coveredUntil: z.string().nullable(),
        all: indicatorsSchema,
        programs: z.array(indicatorsSchema.extend({ program: z.enum(PROGRAMS), name: z.string() })),
      }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        protectionCut: '2026-10',
        coveredUntil: '2026-10-31',
        all: {
          leavers: 12,
          pafAtLeast50: { count: 10, of: 12, share: 0.8333 },
          ncfasImproved: { count: 9, of: 11, share: 0.8182 },
          ncfasMeanChange: 1.2,
          notReEntered: { count: 0, of: 0, share: null },
          reEntryPending: 12,
        },
        programs: [],
      },
    },
    ...errorResponses(400, 403),
  },
});

/** The routes the cases API function serves. */
export const CASE_ROUTES = [
  listIntakeRoute,
  decideIntakeRoute,
  getIntakeRatesRoute,
  listCasesRoute,
  getCaseRoute,
  transitionCaseRoute,
  assignCaseRoute,
  getWaitingListRoute,
  recordConsentRoute,
  withdrawConsentRoute,
  recordNcfasRoute,
  setPafRoute,
  addSessionRoute,
  addAgreementRoute,
  updateAgreementRoute,
  addReferralRoute,
  moveReferralRoute,
  listOverdueAgreementsRoute,
  listProgramsRoute,
  getOutcomesRoute,
] as const;

/**
 * The routes of the cases themselves: the comuna's list, one case, its workflow transitions,
 * assignment under the caps and the waiting list.
 */
import { z } from 'zod';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { comunaParam, comunaRefSchema } from '../../shared/api/schemas';
import { CASE_ACTIONS, CASE_STATES } from '../domain/case-workflow';
import { caseExample, caseParams, changedCase, ifMatch, OLN, pageQuery } from './route-parts';
import { caseSummaryViewSchema, caseViewSchema } from './views';

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

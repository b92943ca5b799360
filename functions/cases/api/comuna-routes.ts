/**
 * The comuna's lists across its cases: overdue agreements, the program catalogue with its places,
 * and the outcome indicators.
 */
import { z } from 'zod';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { comunaParam, comunaRefSchema } from '../../shared/api/schemas';
import { AGREEMENT_STATUSES } from '../domain/agreements';
import { PROGRAMS } from '../domain/referrals';
import { OLN } from './route-parts';

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

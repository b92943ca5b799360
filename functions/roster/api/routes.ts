/** The roster feature's HTTP routes: the nómina of a comuna and one entry of it. */
import { z } from 'zod';
import { riskFactorSchema } from '../../alerts/api/routes';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { childIdParam, comunaParam, comunaRefSchema } from '../../shared/api/schemas';
import type { CuratedSource } from '../../shared/domain/curated-records';
import { CURATED_RECORD_SCHEMAS } from '../../shared/domain/curated-records';
import { REASON_CONCERNS, REASON_WINDOWS } from '../domain/roster';

const reasonSchema = z.object({
  feature: z.string().meta({ description: 'Indicador del modelo' }),
  text: z
    .string()
    .meta({ description: 'El motivo, en palabras: cierto de los datos del niño o de su hogar' }),
  weight: z
    .number()
    .meta({ description: 'Aporte al log-odds respecto del niño promedio (siempre positivo)' }),
  concerns: z.enum(REASON_CONCERNS).meta({
    description:
      'A quién se refiere: al niño (escuela, salud, policía, protección) o a su hogar (Registro Social de Hogares, madre o padre privado de libertad)',
  }),
  source: z
    .enum(Object.keys(CURATED_RECORD_SCHEMAS) as [CuratedSource, ...CuratedSource[]])
    .meta({ description: 'La fuente de la que viene el indicador' }),
  cut: z.string().meta({ description: 'El corte mensual (yyyy-mm) de esa fuente' }),
  window: z.enum(REASON_WINDOWS).meta({
    description:
      'El período antes del cierre del corte que mira el indicador (`ficha vigente`: la ficha del hogar al corte)',
  }),
});

const rosterAlertSchema = z.object({
  alertId: z.string(),
  riskFactor: riskFactorSchema,
  urgent: z.boolean(),
  state: z.string(),
  receivedAt: z.string(),
  repeatReports: z.number().int().meta({ description: 'Reportes repetidos recibidos con la alerta abierta' }),
});

/** One entry of a comuna's roster, as the API shows it. */
export const rosterEntrySchema = z.object({
  childId: z.string(),
  origin: z.enum(['predictivo', 'manual', 'experto']),
  provisional: z
    .boolean()
    .meta({ description: 'Conocido solo por una alerta, aún no por los datos administrativos' }),
  cut: z.string().nullable(),
  probability: z.number().nullable(),
  ventile: z.number().int().min(1).max(20).nullable(),
  reasons: z.array(reasonSchema),
  demotion: z
    .object({
      rule: z.enum(['child-signal']).meta({
        description:
          'La regla aplicada: al menos una señal propia del niño para estar en la cabeza del modelo',
      }),
      text: z.string().meta({ description: 'Por qué, en palabras para la OLN' }),
    })
    .nullable()
    .meta({
      description:
        'Presente cuando el modelo ubica al niño después de su cabeza: sigue en la nómina con su puntaje y sus razones, tras todos los niños con una señal propia (functions/shared/config/prioritisation.json)',
    }),
  modelVersion: z.string().nullable(),
  scoredAt: z.string().nullable(),
  alerts: z.array(rosterAlertSchema),
  case: z
    .object({
      caseId: z.string(),
      state: z.string().meta({ description: 'El estado del caso (p. ej. `diagnostico`)' }),
      overdueAgreements: z
        .boolean()
        .meta({ description: 'Tiene acuerdos de la mesa de casos abiertos con el plazo vencido' }),
    })
    .nullable()
    .meta({ description: 'El caso OLN del niño, si fue aceptado' }),
});

const SCOPE = 'roles OLN de la comuna; roles regionales y central';

const entryExample = {
  childId: 'n-abcdefghijklmnopqrstuv',
  origin: 'predictivo',
  provisional: false,
  cut: '2026-10',
  probability: 0.41,
  ventile: 19,
  reasons: [
    {
      feature: 'asistencia_critica_3m',
      text: 'Asistencia escolar bajo 85 % en los últimos 3 meses',
      weight: 0.62,
      concerns: 'niño',
      source: 'educacion',
      cut: '2026-10',
      window: 'últimos 3 meses',
    },
  ],
  demotion: null,
  modelVersion: 'gbt-2026-10',
  scoredAt: '2026-11-02T10:00:00.000Z',
  alerts: [],
  case: null,
};

export const listRosterRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/roster',
  operationId: 'listRoster',
  tag: 'nómina',
  summary: 'La nómina priorizada de una comuna, por páginas',
  description:
    'Primero los niños con una alerta abierta (urgentes primero, más antiguas primero), luego por probabilidad del modelo en la última corrida de la comuna.',
  access: permission('roster:read', SCOPE),
  params: z.object({ comuna: comunaParam }),
  query: z.object({
    limit: z.coerce
      .number({ error: 'debe ser un número entero de 1 a 500' })
      .int('debe ser un número entero de 1 a 500')
      .min(1, 'debe ser un número entero de 1 a 500')
      .max(500, 'debe ser un número entero de 1 a 500')
      .default(50),
    cursor: z.string().max(2048).optional().meta({ description: 'El `nextCursor` de la página anterior' }),
  }),
  responses: {
    200: {
      description: 'Una página de la nómina',
      schema: z.object({
        comuna: comunaRefSchema,
        currentCut: z.string().nullable(),
        modelVersion: z.string().nullable(),
        entries: z.array(rosterEntrySchema.extend({ rank: z.number().int().min(1) })),
        nextCursor: z.string().nullable(),
      }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        currentCut: '2026-10',
        modelVersion: 'gbt-2026-10',
        entries: [{ rank: 1, ...entryExample }],
        nextCursor: null,
      },
    },
    ...errorResponses(400, 403),
  },
});

export const getRosterEntryRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/roster/{childId}',
  operationId: 'getRosterEntry',
  tag: 'nómina',
  summary: 'Una entrada de la nómina, con sus motivos y alertas',
  access: permission('roster:read', SCOPE),
  params: z.object({ comuna: comunaParam, childId: childIdParam }),
  responses: {
    200: { description: 'La entrada', schema: rosterEntrySchema, example: entryExample },
    ...errorResponses(400, 403, 404),
  },
});

/** The routes the roster API function serves. */
export const ROSTER_ROUTES = [listRosterRoute, getRosterEntryRoute] as const;

/** The alerts feature's HTTP routes: raising an alert and following it. */
import { z } from 'zod';
import { IDEMPOTENCY_HEADER_PATTERN } from '../../shared/api/idempotency-key';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { comunaRefSchema } from '../../shared/api/schemas';
import { ALERT_STATES, alertRequestSchema, RISK_FACTORS } from '../domain/alert';

const riskFactorCodes = Object.keys(RISK_FACTORS) as [
  keyof typeof RISK_FACTORS,
  ...(keyof typeof RISK_FACTORS)[],
];
const riskFactorList = Object.entries(RISK_FACTORS)
  .map(([code, label]) => `\`${code}\`: ${label}`)
  .join('; ');

/** A risk factor in an answer: its code, and its words in Spanish. */
export const riskFactorSchema = z
  .object({
    code: z.enum(riskFactorCodes),
    label: z.string().meta({ description: 'El factor de riesgo en palabras' }),
  })
  .meta({ description: `Factor de riesgo. Códigos: ${riskFactorList}` });

export const createAlertRoute = defineRoute({
  method: 'POST',
  path: '/v1/alerts',
  operationId: 'createAlert',
  tag: 'alertas',
  summary: 'Levanta una alerta sobre un niño, niña o adolescente',
  description:
    'La alerta se encola seudonimizada y se deduplica contra las alertas abiertas del mismo niño y factor de riesgo. Va a la OLN de la comuna cuya nómina tiene al niño, que puede no ser la comuna donde se levantó. La cabecera `Location` lleva la ruta de la alerta.',
  access: permission('alert:create', 'sectorialistas, roles OLN, regionales y central de la comuna'),
  headers: z.object({
    'Idempotency-Key': z.string().regex(IDEMPOTENCY_HEADER_PATTERN).optional().meta({
      description:
        'Clave opcional (8 a 128 caracteres: letras sin tilde, dígitos, `.`, `_`, `:`, `-`; un UUID sirve; puede ir entre comillas dobles). Un reintento con la misma clave y el mismo cuerpo, dentro de 24 horas, recibe la misma respuesta `202` (con la cabecera `idempotent-replayed: true`) y no levanta una segunda alerta; otro cuerpo con la misma clave, o la misma clave aún en curso, responde `409`.',
    }),
  }),
  body: alertRequestSchema.meta({
    description: `Reporte de una alerta. \`riskFactor\` es uno de: ${riskFactorList}`,
  }),
  responses: {
    202: {
      description: 'Alerta recibida; su destino y prioridad se deciden a continuación',
      schema: z.object({
        alertId: z.uuid(),
        childId: z.string(),
        state: z.enum(ALERT_STATES),
        receivedAt: z.string(),
        alert: z.string().meta({ description: 'Ruta de la alerta (también en `Location`)' }),
      }),
      example: {
        alertId: '6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
        childId: 'n-abcdefghijklmnopqrstuv',
        state: 'sin gestionar',
        receivedAt: '2026-11-02T10:00:00.000Z',
        alert: '/v1/alerts/6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
      },
    },
    ...errorResponses(400, 403, 409, 415),
  },
});

const routingViewSchema = z.object({
  alertId: z.string(),
  state: z.enum(ALERT_STATES),
  comuna: comunaRefSchema.meta({ description: 'La comuna cuya OLN gestiona la alerta' }),
  raisedInComuna: comunaRefSchema,
  receivedAt: z.string(),
});

const reportViewSchema = routingViewSchema.extend({
  childId: z.string(),
  riskFactor: riskFactorSchema,
  urgent: z.boolean(),
  observedAt: z.string().nullable(),
  description: z.string(),
  repeatOf: z.string().nullable(),
  reportedBy: z.object({ role: z.string(), institution: z.string() }),
});

export const getAlertRoute = defineRoute({
  method: 'GET',
  path: '/v1/alerts/{alertId}',
  operationId: 'getAlert',
  tag: 'alertas',
  summary: 'Dónde fue una alerta y cómo está',
  description:
    'Quien la reportó y los roles de la comuna que la gestiona ven también el reporte; los roles de la comuna donde se levantó ven solo su destino y estado. Una alerta que no puede ver, o aún no procesada, responde 404 como una inexistente.',
  access: permission(
    'alert:read',
    'quien la reportó; roles OLN, regionales y central de la comuna que la gestiona o donde se levantó',
  ),
  params: z.object({ alertId: z.uuid({ error: 'debe ser el identificador de una alerta (un UUID)' }) }),
  responses: {
    200: {
      description: 'La alerta: con su reporte, o solo su destino y estado',
      schema: z.union([reportViewSchema, routingViewSchema]),
      example: {
        alertId: '6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
        state: 'sin gestionar',
        comuna: { code: '13101', name: 'Santiago' },
        raisedInComuna: { code: '13101', name: 'Santiago' },
        receivedAt: '2026-11-02T10:00:00.000Z',
        childId: 'n-abcdefghijklmnopqrstuv',
        riskFactor: { code: 'situacion_de_calle', label: 'Situación de calle' },
        urgent: true,
        observedAt: '2026-11-01',
        description: 'Niño visto pernoctando en la plaza',
        repeatOf: null,
        reportedBy: { role: 'sectorialista', institution: 'CESFAM Santiago' },
      },
    },
    ...errorResponses(400, 404),
  },
});

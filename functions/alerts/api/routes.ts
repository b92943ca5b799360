/** The alerts feature's HTTP routes: raising an alert, following it, listing a comuna's alerts and moving one through its life cycle. */
import { z } from 'zod';
import { IDEMPOTENCY_HEADER_PATTERN } from '../../shared/api/idempotency-key';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import {
  childIdParam,
  comunaParam,
  comunaRefSchema,
  ifMatchHeader,
  pageQuery,
} from '../../shared/api/schemas';
import {
  ALERT_ACTIONS,
  ALERT_STATES,
  alertRequestSchema,
  IDENTIFICATION_METHODS,
  RISK_FACTORS,
} from '../domain/alert';
import { ALERT_TRANSITIONS } from '../domain/alert-workflow';
import { NOTICE_KINDS } from '../domain/notifications';
import { containsRun } from '../domain/run-in-text';

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
    'Con el RUN del niño o, si no se conoce, con sus nombres, apellido paterno y fecha de nacimiento o edad aproximada en `child`: se busca al niño por esos datos en la comuna y, si no se encuentra con certeza, queda como niño provisional (con los candidatos a la vista de la OLN) hasta que una ingesta posterior lo traiga o la OLN confirme quién es. El mismo mensaje pueden escribirlo instituciones directamente en la cola de alertas. La alerta se deduplica contra las alertas abiertas del mismo niño y factor de riesgo. Va a la OLN de la comuna cuya nómina tiene al niño, que puede no ser la comuna donde se levantó. La cabecera `Location` lleva la ruta de la alerta.',
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
        childId: z.string().meta({
          description:
            'El seudónimo del niño; para una alerta sin RUN, el del niño provisional con que se registra (`GET` de la alerta dice después a quién se identificó)',
        }),
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

const historyEntrySchema = z.object({
  action: z.enum(ALERT_ACTIONS),
  from: z.enum(ALERT_STATES),
  to: z.enum(ALERT_STATES),
  by: z.object({ subject: z.string(), role: z.string() }),
  at: z.string(),
  reason: z.string(),
  caseId: z.string().optional(),
});

const agreementSchema = z.enum(['igual', 'compatible', 'distinto', 'sin_dato']);

const identificationSchema = z
  .object({
    method: z.enum(IDENTIFICATION_METHODS).meta({
      description:
        '`run`: por el RUN; `nombres`: por nombres, apellidos y fecha de nacimiento, con certeza; `provisional`: niño provisional (sin RUN conocido), con candidatos si alguno se acercó; `ingesta`: unido al niño que trajo una ingesta posterior; `confirmada`: unido al candidato que eligió una persona de la OLN',
    }),
    provisionalChildId: z
      .string()
      .nullable()
      .meta({ description: 'El seudónimo provisional con que se registró la alerta sin RUN' }),
    candidates: z
      .array(
        z.object({
          childId: z.string(),
          score: z.number().meta({ description: 'Mayor es más cercano' }),
          agreement: z
            .object({
              givenNames: agreementSchema,
              maternalSurname: agreementSchema,
              birthDate: agreementSchema,
            })
            .meta({
              description:
                'Cómo se compara cada dato con lo reportado (el apellido paterno coincide siempre). Los datos mismos se leen en la ruta de identidad, con propósito `verificacion_alerta`.',
            }),
        }),
      )
      .meta({
        description:
          'Niños que se acercan, para que la OLN confirme uno (solo mientras el niño es provisional)',
      }),
    awaitingIdentity: z.boolean().meta({ description: 'true mientras el niño de la alerta es provisional' }),
    at: z.string(),
    by: z.object({ subject: z.string(), role: z.string() }).nullable(),
    reason: z.string().nullable(),
  })
  .meta({ description: 'Cómo se identificó al niño de la alerta' });

const reportViewSchema = routingViewSchema.extend({
  childId: z.string(),
  riskFactor: riskFactorSchema,
  urgent: z.boolean(),
  observedAt: z.string().nullable(),
  description: z.string(),
  repeatOf: z.string().nullable(),
  reportedBy: z.object({ role: z.string(), institution: z.string() }),
  caseId: z
    .string()
    .nullable()
    .meta({ description: 'El caso que aborda la alerta, desde que está en ejecución' }),
  acknowledgedAt: z
    .string()
    .nullable()
    .meta({ description: 'Cuándo alguien de la OLN actuó sobre ella por primera vez' }),
  closedAt: z.string().nullable(),
  history: z.array(historyEntrySchema).meta({ description: 'Cada transición: quién, cuándo, por qué' }),
  actions: z
    .array(z.enum(ALERT_ACTIONS))
    .meta({ description: 'Las acciones que quien consulta puede tomar desde el estado actual' }),
  version: z.number().int().meta({ description: 'Versión de la alerta (también en la cabecera `ETag`)' }),
  identification: identificationSchema,
});

const actionList = ALERT_ACTIONS.map((a) => {
  const t = ALERT_TRANSITIONS[a];
  return `\`${a}\` (${t.from.join(', ')} → ${t.to}; ${t.roles.join(', ')})`;
}).join('; ');

const alertExample = {
  alertId: '6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
  state: 'en espera de atención',
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
  caseId: null,
  acknowledgedAt: '2026-11-02T10:20:00.000Z',
  closedAt: null,
  history: [
    {
      action: 'tomar',
      from: 'sin gestionar',
      to: 'en espera de atención',
      by: { subject: 'coordinador-13101', role: 'coordinador' },
      at: '2026-11-02T10:20:00.000Z',
      reason: 'Revisada por la coordinación; se contacta a la familia',
    },
  ],
  actions: ['iniciar', 'no_corresponde'],
  version: 2,
  identification: {
    method: 'run',
    provisionalChildId: null,
    candidates: [],
    awaitingIdentity: false,
    at: '2026-11-02T10:00:00.000Z',
    by: null,
    reason: null,
  },
};

export const getAlertRoute = defineRoute({
  method: 'GET',
  path: '/v1/alerts/{alertId}',
  operationId: 'getAlert',
  tag: 'alertas',
  summary: 'Dónde fue una alerta y cómo está',
  description:
    'Quien la reportó y los roles de la comuna que la gestiona ven también el reporte, su historia y las acciones que pueden tomar; los roles de la comuna donde se levantó ven solo su destino y estado. Una alerta que no puede ver, o aún no procesada, responde 404 como una inexistente. La cabecera `ETag` trae su versión. Una alerta que repite otra muestra el estado de la que repite.',
  access: permission(
    'alert:read',
    'quien la reportó; roles OLN, regionales y central de la comuna que la gestiona o donde se levantó',
  ),
  params: z.object({ alertId: z.uuid({ error: 'debe ser el identificador de una alerta (un UUID)' }) }),
  responses: {
    200: {
      description: 'La alerta: con su reporte, o solo su destino y estado',
      schema: z.union([reportViewSchema, routingViewSchema]),
      example: alertExample,
    },
    ...errorResponses(400, 404),
  },
});

const ageDays = (what: string) =>
  z.coerce
    .number({ error: 'debe ser un número entero de días, de 0 a 3650' })
    .int('debe ser un número entero de días, de 0 a 3650')
    .min(0, 'debe ser un número entero de días, de 0 a 3650')
    .max(3650, 'debe ser un número entero de días, de 0 a 3650')
    .optional()
    .meta({ description: what });

const booleanQuery = z
  .enum(['true', 'false'], { error: 'debe ser true o false' })
  .transform((v) => v === 'true');

export const listComunaAlertsRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/alerts',
  operationId: 'listComunaAlerts',
  tag: 'alertas',
  summary: 'Las alertas que gestiona una comuna, por estado, factor de riesgo y antigüedad, por páginas',
  description:
    'De la más antigua a la más reciente. Sin `state`, todas (o solo las abiertas con `open=true`). Las alertas que repiten otra abierta van dentro de ella (`includeRepeats=true` las lista también). Una página puede traer menos alertas que `limit` y seguir con `nextCursor`.',
  access: permission('alert:read', 'roles OLN, regionales y central de la comuna'),
  params: z.object({ comuna: comunaParam }),
  query: z.object({
    state: z.enum(ALERT_STATES, { error: `debe ser uno de: ${ALERT_STATES.join(', ')}` }).optional(),
    open: booleanQuery
      .optional()
      .meta({ description: 'Solo las abiertas (sin gestionar, en espera, en ejecución, en monitoreo)' }),
    riskFactor: z
      .enum(riskFactorCodes, { error: `debe ser uno de: ${riskFactorCodes.join(', ')}` })
      .optional(),
    urgent: booleanQuery.optional(),
    minAgeDays: ageDays('Solo las recibidas hace al menos tantos días'),
    maxAgeDays: ageDays('Solo las recibidas hace a lo más tantos días'),
    includeRepeats: booleanQuery.optional(),
    ...pageQuery,
  }),
  responses: {
    200: {
      description: 'Una página de alertas, de la más antigua a la más reciente',
      schema: z.object({ alerts: z.array(reportViewSchema), nextCursor: z.string().nullable() }),
      example: { alerts: [alertExample], nextCursor: null },
    },
    ...errorResponses(400, 403),
  },
});

export const transitionAlertRoute = defineRoute({
  method: 'POST',
  path: '/v1/alerts/{alertId}/transitions',
  operationId: 'transitionAlert',
  tag: 'alertas',
  summary: 'Mover una alerta por su ciclo de vida',
  description: `Acciones (desde → hacia; roles): ${actionList}. Cada una con su motivo; \`iniciar\` liga la alerta al caso abierto del niño que la aborda (\`caseId\`, que puede omitirse si el niño tiene un solo caso abierto en la comuna). Una acción que el estado no admite responde 409 con \`allowed\`. Se escribe sobre la versión leída (\`If-Match\`).`,
  access: permission('alert:manage', 'roles OLN y coordinador regional de la comuna que gestiona la alerta'),
  params: z.object({ alertId: z.uuid({ error: 'debe ser el identificador de una alerta (un UUID)' }) }),
  headers: ifMatchHeader('de la alerta'),
  body: z.strictObject({
    action: z.enum(ALERT_ACTIONS, { error: `debe ser una de: ${ALERT_ACTIONS.join(', ')}` }),
    reason: z
      .string()
      .trim()
      .min(5, 'indique el motivo (al menos 5 caracteres)')
      .max(1000)
      .refine((v) => !containsRun(v), 'no escriba RUN en el motivo'),
    caseId: z
      .string()
      .regex(/^c-[A-Za-z0-9_-]{22}$/, 'no es un identificador de caso (c-…)')
      .optional(),
  }),
  responses: {
    200: {
      description: 'La alerta, ya movida; la cabecera `ETag` trae su nueva versión',
      schema: reportViewSchema,
      example: alertExample,
    },
    ...errorResponses(400, 403, 404, 409, 412, 415, 422, 428),
  },
});

export const identifyAlertChildRoute = defineRoute({
  method: 'POST',
  path: '/v1/alerts/{alertId}/identification',
  operationId: 'identifyAlertChild',
  tag: 'alertas',
  summary: 'Confirmar quién es el niño provisional de una alerta, entre sus candidatos',
  description:
    'Para una alerta sin RUN cuyo niño quedó provisional: une el niño provisional al candidato elegido (`childId`, uno de `identification.candidates`). Todas las alertas del niño provisional pasan al niño elegido, con su historia, y su lugar en la nómina pasa a la ficha de ese niño. Un niño provisional con un caso no se une desde aquí (409 `child_has_case`). Se escribe sobre la versión leída (`If-Match`).',
  access: permission('alert:manage', 'roles OLN y coordinador regional de la comuna que gestiona la alerta'),
  params: z.object({ alertId: z.uuid({ error: 'debe ser el identificador de una alerta (un UUID)' }) }),
  headers: ifMatchHeader('de la alerta'),
  body: z.strictObject({
    childId: childIdParam.meta({ description: 'El candidato que es el niño de la alerta' }),
    reason: z
      .string()
      .trim()
      .min(5, 'indique cómo lo confirmó (al menos 5 caracteres)')
      .max(1000)
      .refine((v) => !containsRun(v), 'no escriba RUN en el motivo'),
  }),
  responses: {
    200: {
      description: 'La alerta, ya con el niño confirmado; la cabecera `ETag` trae su nueva versión',
      schema: reportViewSchema,
      example: {
        ...alertExample,
        identification: {
          method: 'confirmada',
          provisionalChildId: 'n-zyxwvutsrqponmlkjihgfe',
          candidates: [],
          awaitingIdentity: false,
          at: '2026-11-03T09:00:00.000Z',
          by: { subject: 'coordinador-13101', role: 'coordinador' },
          reason: 'La familia confirmó nombre y fecha de nacimiento en la visita',
        },
      },
    },
    ...errorResponses(400, 403, 404, 409, 412, 415, 422, 428),
  },
});

export const listNotificationsRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/notifications',
  operationId: 'listNotifications',
  tag: 'alertas',
  summary: 'Los avisos de alertas urgentes de una comuna, del más reciente al más antiguo',
  description:
    'El coordinador de la comuna ve los avisos de alerta urgente; el coordinador regional, los escalamientos (alertas urgentes que nadie en la OLN atendió dentro del plazo configurado, 24 horas por omisión); el administrador central, ambos. En la nube los mismos avisos se publican en el tema de notificaciones (correo o SMS de los suscritos). Una página puede traer menos avisos que `limit` y seguir con `nextCursor`.',
  access: permission('notification:read', 'coordinador de la comuna; roles regionales y central'),
  params: z.object({ comuna: comunaParam }),
  query: z.object({ ...pageQuery }),
  responses: {
    200: {
      description: 'Una página de avisos, del más reciente al más antiguo',
      schema: z.object({
        notifications: z.array(
          z.object({
            noticeId: z.string(),
            kind: z.enum(NOTICE_KINDS),
            audience: z.enum(['coordinador', 'coordinador_regional']),
            comuna: comunaRefSchema,
            alertId: z.string(),
            childId: z.string(),
            riskFactor: riskFactorSchema,
            dueAt: z.string().meta({ description: 'Cuándo correspondió el aviso' }),
            text: z.string().meta({ description: 'El aviso, como llega a la persona' }),
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
      example: {
        notifications: [
          {
            noticeId: 'alerta_urgente:6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
            kind: 'alerta_urgente',
            audience: 'coordinador',
            comuna: { code: '13101', name: 'Santiago' },
            alertId: '6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
            childId: 'n-abcdefghijklmnopqrstuv',
            riskFactor: { code: 'situacion_de_calle', label: 'Situación de calle' },
            dueAt: '2026-11-02T10:00:00.000Z',
            text: 'Alerta urgente en Santiago (13101): Situación de calle. Niño, niña o adolescente n-abcdefghijklmnopqrstuv, recibida el 02-11-26, 07:00. Tome conocimiento en SAN: /v1/alerts/6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
          },
        ],
        nextCursor: null,
      },
    },
    ...errorResponses(400, 403),
  },
});

/** The routes the alerts API function serves (`POST /v1/alerts` is the intake's). */
export const ALERT_ROUTES = [
  getAlertRoute,
  listComunaAlertsRoute,
  transitionAlertRoute,
  identifyAlertChildRoute,
  listNotificationsRoute,
] as const;

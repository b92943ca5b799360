/**
 * The model registry's HTTP routes: the versions with their state and history, a version, a shadow
 * report of a comuna and cut, and the life cycle's transitions (register, shadow, approve, promote,
 * roll back), each a POST with its reason and an optional Idempotency-Key.
 */
import { z } from 'zod';
import { MODEL_VERSION_PATTERN } from '../../score/domain/model-info';
import { IDEMPOTENCY_HEADER_PATTERN } from '../../shared/api/idempotency-key';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { comunaParam, comunaRefSchema, cutParam } from '../../shared/api/schemas';
import { MODEL_ACTIONS, MODEL_STATES } from '../domain/lifecycle';
import { shadowReportSchema } from '../domain/shadow-report';

const versionParam = z
  .string()
  .regex(MODEL_VERSION_PATTERN, 'debe ser una versión <logistic|gbt>-<semilla>-<8 dígitos hex>')
  .meta({ description: 'Versión del modelo', examples: ['logistic-2024-b6b69222'] });

const historySchema = z.object({
  action: z.enum([...MODEL_ACTIONS, 'replaced', 'superseded', 'rolledBack']).meta({
    description:
      'bootstrap (modelo de la capa con el registro vacío), register, shadow, approve, promote, rollback; replaced (otra versión entró en sombra), superseded (otra versión se promovió), rolledBack (se volvió a la anterior)',
  }),
  from: z.enum(MODEL_STATES).nullable(),
  to: z.enum(MODEL_STATES),
  by: z
    .object({ subject: z.string(), role: z.string() })
    .meta({ description: 'Quién: usuario y rol, o sistema' }),
  at: z.string().meta({ description: 'Cuándo (ISO 8601)' }),
  reason: z.string().nullable().meta({ description: 'Por qué' }),
});

export const modelRecordSchema = z.object({
  version: z.string(),
  state: z.enum(MODEL_STATES).meta({
    description:
      'registered → shadow → approved → deployed; la desplegada reemplazada queda previous, y la anterior a ella retired',
  }),
  stateLabel: z.string().meta({ description: 'El estado en palabras' }),
  fileSha256: z.string(),
  bytes: z.number().int(),
  trainedOn: z.string(),
  metrics: z.record(z.string(), z.number()).meta({ description: 'Métricas de la ficha del modelo' }),
  registeredAt: z.string(),
  history: z.array(historySchema),
});

const recordExample = {
  version: 'logistic-2024-b6b69222',
  state: 'deployed',
  stateLabel: 'desplegado',
  fileSha256: 'a'.repeat(64),
  bytes: 2719,
  trainedOn: 'seed=2024 children=40000',
  metrics: { auc: 0.81 },
  registeredAt: '2026-11-02T12:00:00.000Z',
  history: [
    {
      action: 'bootstrap',
      from: null,
      to: 'deployed',
      by: { subject: 'sistema', role: 'sistema' },
      at: '2026-11-02T12:00:00.000Z',
      reason: 'modelo de la capa del sistema, desplegado al encontrar el registro vacío',
    },
  ],
};

const idempotencyHeaders = z.object({
  'Idempotency-Key': z.string().regex(IDEMPOTENCY_HEADER_PATTERN).optional().meta({
    description:
      'Clave opcional (8 a 128 caracteres: letras sin tilde, dígitos, `.`, `_`, `:`, `-`). Un reintento con la misma clave y el mismo cuerpo, dentro de 24 horas, recibe la misma respuesta; otro cuerpo con la misma clave responde `409`.',
  }),
});

const reasonField = z.string().trim().min(5, 'el motivo debe tener al menos 5 caracteres').max(1000);
const reasonBody = z.strictObject({ reason: reasonField.meta({ description: 'Motivo, obligatorio' }) });
const optionalReasonBody = z.strictObject({
  reason: reasonField.optional().meta({ description: 'Motivo, opcional' }),
});

const GOVERN = permission('model:govern', 'administrador_central');
const changeResponses = {
  200: {
    description: 'La versión, con su nuevo estado e historia',
    schema: modelRecordSchema,
    example: recordExample,
  },
  ...errorResponses(400, 403, 404, 409, 415),
};

export const listModelsRoute = defineRoute({
  method: 'GET',
  path: '/v1/models',
  operationId: 'listModels',
  tag: 'modelo',
  summary: 'Las versiones del modelo registradas, con su estado e historia',
  access: permission('model:read', 'roles regionales y central'),
  responses: {
    200: {
      description: 'Las versiones, la desplegada primero',
      schema: z.object({
        deployed: z.string().nullable(),
        candidate: z.string().nullable().meta({ description: 'La versión en sombra o aprobada, si hay' }),
        models: z.array(modelRecordSchema),
      }),
      example: { deployed: recordExample.version, candidate: null, models: [recordExample] },
    },
    ...errorResponses(403),
  },
});

export const getModelRoute = defineRoute({
  method: 'GET',
  path: '/v1/models/{version}',
  operationId: 'getModel',
  tag: 'modelo',
  summary: 'Una versión del modelo, con su estado e historia',
  access: permission('model:read', 'roles regionales y central'),
  params: z.object({ version: versionParam }),
  responses: {
    200: { description: 'La versión', schema: modelRecordSchema, example: recordExample },
    ...errorResponses(400, 403, 404),
  },
});

export const registerModelRoute = defineRoute({
  method: 'POST',
  path: '/v1/models',
  operationId: 'registerModel',
  tag: 'modelo',
  summary: 'Registra un archivo de modelo (ONNX) como una versión nueva',
  description:
    'El archivo debe pasar las mismas comprobaciones que el puntaje aplica al cargarlo (metadatos, indicadores, versión y hash de los pesos, ancho de entrada, cortes de veintiles). Una versión ya registrada con otro archivo se rechaza (409); el mismo archivo otra vez responde la versión registrada.',
  access: GOVERN,
  headers: idempotencyHeaders,
  body: z.strictObject({
    file: z
      .base64('debe ser el archivo en base64')
      .meta({ description: 'El archivo .onnx en base64 (hasta 4 MiB)' }),
    reason: reasonField.optional().meta({ description: 'Motivo, opcional' }),
  }),
  responses: changeResponses,
});

const transition = (action: 'shadow' | 'approve' | 'promote', summary: string, description: string) =>
  defineRoute({
    method: 'POST',
    path: `/v1/models/{version}/${action}`,
    operationId: `${action}Model`,
    tag: 'modelo',
    summary,
    description,
    access: GOVERN,
    headers: idempotencyHeaders,
    params: z.object({ version: versionParam }),
    body: action === 'shadow' ? optionalReasonBody : reasonBody,
    responses: changeResponses,
  });

export const shadowModelRoute = transition(
  'shadow',
  'Pone una versión registrada en sombra',
  'Desde entonces cada comuna puntuada se puntúa también con ella, sin tocar la nómina, y se escribe su informe en sombra; el corte vigente se vuelve a puntuar. Una versión que ya estaba en sombra o aprobada vuelve a registrada.',
);
export const approveModelRoute = transition(
  'approve',
  'Aprueba la versión en sombra',
  'Solo un administrador_central, con motivo. La versión debe estar en sombra.',
);
export const promoteModelRoute = transition(
  'promote',
  'Despliega la versión aprobada',
  'Requiere la aprobación y un informe en sombra del corte vigente en cada comuna puntuada en él. La versión desplegada pasa a anterior; el corte vigente se vuelve a puntuar con la nueva.',
);

export const rollbackModelRoute = defineRoute({
  method: 'POST',
  path: '/v1/models/rollback',
  operationId: 'rollbackModel',
  tag: 'modelo',
  summary: 'Vuelve a desplegar la versión anterior',
  description:
    'La versión desplegada pasa a retirada y la anterior vuelve a desplegarse; el corte vigente se vuelve a puntuar con ella. Solo un administrador_central, con motivo.',
  access: GOVERN,
  headers: idempotencyHeaders,
  body: reasonBody,
  responses: changeResponses,
});

export const getShadowReportRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/shadow/{cut}',
  operationId: 'getShadowReport',
  tag: 'modelo',
  summary: 'El informe en sombra de una comuna y corte: la versión candidata frente a la desplegada',
  description:
    'Coincidencia de los niños seleccionados a la capacidad de la OLN, cambios de veintil, PSI entre los puntajes, motivos mostrados, tasas de selección por grupo y métricas de la ficha de cada modelo. Sin `version`, el de la versión en sombra o aprobada.',
  access: permission('drift:read', 'coordinador de la comuna; roles regionales y central'),
  params: z.object({ comuna: comunaParam, cut: cutParam }),
  query: z.object({ version: versionParam.optional() }),
  responses: {
    200: {
      description: 'El informe',
      schema: shadowReportSchema.omit({ comuna: true }).extend({ comuna: comunaRefSchema }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        cut: '2026-10',
        deployedVersion: 'logistic-2024-b6b69222',
        shadowVersion: 'gbt-2026-11',
        generatedAt: '2026-11-02T10:00:00.000Z',
        children: 19_830,
        capacity: 337,
        overlap: { both: 301, onlyDeployed: 36, onlyShadow: 36, share: 0.893 },
        ventileShifts: {
          same: 15_210,
          up: 2_390,
          down: 2_230,
          meanAbsoluteShift: 0.27,
          byShift: [
            { shift: -1, children: 2_150 },
            { shift: 0, children: 15_210 },
            { shift: 1, children: 2_310 },
          ],
        },
        score: { psi: 0.012, level: 'estable', deployedMean: 0.061, shadowMean: 0.063 },
        reasons: {
          comparedChildren: 301,
          sameFirstReason: 262,
          sameReasons: 214,
          byFeature: [{ feature: 'asistencia_critica_3m', deployed: 144, shadow: 151 }],
        },
        groups: [
          {
            attribute: 'sexo',
            group: 'F',
            children: 9_790,
            deployedSelected: 160,
            shadowSelected: 158,
            deployedRate: 0.0163,
            shadowRate: 0.0161,
          },
        ],
        cardMetrics: { deployed: { auc: 0.792 }, shadow: { auc: 0.801 } },
        outcomes: {
          cohortCut: null,
          outcomeCut: null,
          children: null,
          withOutcome: null,
          deployed: null,
          shadow: null,
          message:
            'Aún no hay una cohorte con resultados conocidos en el sistema: solo se comparan los puntajes.',
        },
        message:
          'La versión en sombra selecciona el 89 % de los mismos niños; sus puntajes no se desplazan (PSI 0,012).',
      },
    },
    ...errorResponses(400, 403, 404),
  },
});

/** The routes the models API function serves. */
export const MODELS_ROUTES = [
  listModelsRoute,
  getModelRoute,
  registerModelRoute,
  shadowModelRoute,
  approveModelRoute,
  promoteModelRoute,
  rollbackModelRoute,
  getShadowReportRoute,
] as const;

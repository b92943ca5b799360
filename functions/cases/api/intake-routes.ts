/**
 * The intake routes: the queue of the nómina, the coordinador's decision on a child, the rates.
 */
import { z } from 'zod';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { childIdParam, comunaParam, comunaRefSchema } from '../../shared/api/schemas';
import { DISCARD_REASONS } from '../domain/intake';
import { caseViewSchema } from './views';

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

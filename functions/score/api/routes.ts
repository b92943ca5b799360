/** The score feature's HTTP routes: the model's drift report of a comuna and cut. */
import { z } from 'zod';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { comunaParam, comunaRefSchema, cutParam } from '../../shared/api/schemas';
import { driftReportSchema } from '../domain/drift-store';

export const getDriftRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/drift/{cut}',
  operationId: 'getDrift',
  tag: 'modelo',
  summary: 'La deriva del modelo en una comuna y corte, respecto del corte anterior puntuado',
  description:
    'Índice de estabilidad poblacional (PSI) de cada indicador del modelo y del puntaje, contra el corte anterior puntuado de la comuna: estable bajo 0,1, vigilar desde 0,1, actuar desde 0,25. El primer corte de una comuna no tiene con qué compararse y lo dice.',
  access: permission('drift:read', 'coordinador de la comuna; roles regionales y central'),
  params: z.object({ comuna: comunaParam, cut: cutParam }),
  responses: {
    200: {
      description: 'El informe de deriva del corte',
      schema: driftReportSchema.omit({ comuna: true }).extend({
        comuna: comunaRefSchema,
      }),
      example: {
        comuna: { code: '13101', name: 'Santiago' },
        cut: '2026-11',
        previousCut: '2026-10',
        modelVersion: 'logistic-2024-b6b69222',
        previousModelVersion: 'logistic-2024-b6b69222',
        children: 1180,
        previousChildren: 1200,
        thresholds: { watch: 0.1, act: 0.25 },
        score: { psi: 0.0123, level: 'estable' },
        features: [
          { feature: 'edad', bins: 'deciles', psi: 0.0042, level: 'estable' },
          { feature: 'inasistencia_3m', bins: 'deciles', psi: 0.1432, level: 'vigilar' },
        ],
        flagged: ['inasistencia_3m'],
        message:
          'Comparado con el corte 2026-10: puntaje estable (PSI 0.0123). Indicadores a vigilar (PSI ≥ 0.1): inasistencia_3m.',
      },
    },
    ...errorResponses(400, 403, 404),
  },
});

/** The routes the drift API function serves. */
export const SCORE_ROUTES = [getDriftRoute] as const;

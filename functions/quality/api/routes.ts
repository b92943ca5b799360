/** The quality feature's HTTP routes: the data-quality index (ICI) of a cut, and of one source. */
import { z } from 'zod';
import { CONTRACTS, isSourceId } from '../../ingest/domain/contracts';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { cutParam } from '../../shared/api/schemas';
import { qualityCountsSchema, qualityReportSchema, qualityScoresSchema } from '../domain/quality-view';

const SOURCES = Object.keys(CONTRACTS);
const SCOPE = 'coordinador (sus comunas), roles regionales y central';

const cumulativeSchema = z
  .object({ annual: z.number(), average: z.number(), months: z.number().int() })
  .meta({ description: 'Índice acumulado del año hasta el corte' });

const scoresExample = { completeness: 97.5, timeliness: 99.1, validity: 98.2, uniqueness: 100, ici: 98.7 };

export const qualityOfCutRoute = defineRoute({
  method: 'GET',
  path: '/v1/quality/{cut}',
  operationId: 'getQualityOfCut',
  tag: 'calidad',
  summary: 'El índice de calidad de cada fuente en un corte, con su acumulado del año',
  access: permission('quality:read', SCOPE),
  params: z.object({ cut: cutParam }),
  responses: {
    200: {
      description: 'Una entrada por fuente con informe en el corte, y sus instituciones de menor índice',
      schema: z.object({
        cut: z.string(),
        sources: z.array(
          z.object({
            source: z.string(),
            producer: z.string(),
            rows: z.number().int(),
            scores: qualityScoresSchema,
            cumulative: cumulativeSchema,
            lowest: z.array(
              z.object({ institution: z.string(), comuna: z.string(), ici: z.number().nullable() }),
            ),
          }),
        ),
      }),
      example: {
        cut: '2026-10',
        sources: [
          {
            source: 'salud',
            producer: 'MINSAL',
            rows: 1200,
            scores: scoresExample,
            cumulative: { annual: 98.1, average: 98.1, months: 10 },
            lowest: [{ institution: 'CESFAM Santiago', comuna: '13101', ici: 91.2 }],
          },
        ],
      },
    },
    ...errorResponses(400, 403),
  },
});

const entryViewSchema = qualityReportSchema.shape.entries.element.extend({ cumulative: cumulativeSchema });

export const qualityOfSourceRoute = defineRoute({
  method: 'GET',
  path: '/v1/quality/{cut}/{source}',
  operationId: 'getQualityOfSource',
  tag: 'calidad',
  summary: 'El índice de calidad de una fuente por institución y comuna, con cada ítem cumplido/aplicable',
  access: permission('quality:read', SCOPE),
  params: z.object({
    cut: cutParam,
    source: z
      .string()
      .refine(isSourceId, `debe ser una de: ${SOURCES.join(', ')}`)
      .meta({ description: 'La fuente', enum: SOURCES }),
  }),
  responses: {
    200: {
      description: 'El informe de calidad de la fuente, restringido a las comunas del token',
      schema: qualityReportSchema.extend({
        total: z.object({ counts: qualityCountsSchema, scores: qualityScoresSchema }),
        entries: z.array(entryViewSchema),
        cumulative: cumulativeSchema,
      }),
      example: {
        cut: '2026-10',
        source: 'salud',
        producer: 'MINSAL',
        contractVersion: '1',
        runId: 'r-2026-10-salud',
        total: {
          counts: { rows: 1200, rejected: 10, duplicates: 2, carried: 0, completeness: {}, timeliness: {} },
          scores: scoresExample,
        },
        entries: [],
        cumulative: { annual: 98.1, average: 98.1, months: 10 },
      },
    },
    ...errorResponses(400, 403, 404),
  },
});

/** The routes the quality API function serves. */
export const QUALITY_ROUTES = [qualityOfCutRoute, qualityOfSourceRoute] as const;

/** The ingest feature's HTTP route: the progress and reports of the files of a cut. */
import { z } from 'zod';
import { qualityScoresSchema } from '../../quality/domain/quality-view';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { cutParam } from '../../shared/api/schemas';
import { manifestCheckSchema } from '../domain/manifest';

const FILE_PROBLEMS = [
  'empty',
  'not-csv',
  'missing-columns',
  'field-too-long',
  'decompression-bomb',
  'corrupt-gzip',
  'unknown-source',
  'bad-location',
  'manifest-mismatch',
  'manifest-missing',
  'too-many-malformed',
  'processing-failed',
] as const;

const problemSchema = z.object({ problem: z.enum(FILE_PROBLEMS), message: z.string() });

/** The ingest report of one file, as ingest writes it next to the file and the API answers it. */
export const ingestReportSchema = z
  .object({
    status: z.enum(['accepted', 'rejected', 'already-ingested']),
    source: z.string(),
    contractVersion: z.string().optional(),
    cut: z.string(),
    objectKey: z.string(),
    runId: z.string().optional(),
    sha256: z.string().optional(),
    layout: z
      .object({
        encoding: z.enum(['utf-8', 'windows-1252']),
        delimiter: z.enum([';', ',']),
        gzip: z.boolean(),
        unknownColumns: z.array(z.string()),
      })
      .optional(),
    bytes: z.number().optional(),
    chunks: z.number().optional(),
    rowsRead: z.number(),
    accepted: z.number(),
    rejected: z.number(),
    duplicates: z.number(),
    rejectionsByReason: z.record(z.string(), z.number()),
    acceptedByComuna: z.record(z.string(), z.number()),
    quality: qualityScoresSchema.optional(),
    identities: z.object({ written: z.number(), olderThanStored: z.number() }).optional(),
    quarantine: z.array(z.string()).optional(),
    quarantinedForStructure: z.number().optional(),
    fieldsTooLong: z.number().optional(),
    encoding: z
      .object({
        detected: z.enum(['utf-8', 'windows-1252']),
        linesInOtherEncoding: z.number(),
        lines: z.array(z.number()),
      })
      .optional(),
    manifest: manifestCheckSchema.optional(),
    error: problemSchema.optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .meta({ description: 'Informe de ingesta de un archivo: leídas = aceptadas + rechazadas + duplicadas' });

const progressSchema = z.object({ done: z.number().int(), total: z.number().int() });

export const cutStatusRoute = defineRoute({
  method: 'GET',
  path: '/v1/cuts/{cut}',
  operationId: 'getCutStatus',
  tag: 'ingesta',
  summary: 'El avance de la ingesta de cada archivo de un corte, y su informe',
  access: permission('ingest:read', 'administrador_central'),
  params: z.object({ cut: cutParam }),
  responses: {
    200: {
      description: 'Las ingestas del corte, de la más antigua a la más reciente',
      schema: z.object({
        cut: z.string(),
        runs: z.array(
          z.object({
            runId: z.string(),
            objectKey: z.string(),
            source: z.string(),
            status: z.enum(['processing', 'publishing', 'done', 'rejected']),
            chunks: progressSchema,
            buckets: progressSchema,
            publish: progressSchema.meta({ description: 'Partes de identidades escritas, una vez aceptada' }),
            bytes: z.number(),
            createdAt: z.string(),
            updatedAt: z.string(),
            failure: problemSchema.optional(),
            report: ingestReportSchema.optional(),
          }),
        ),
      }),
      example: {
        cut: '2026-10',
        runs: [
          {
            runId: 'r-0b1c2d3e',
            objectKey: 'extracts/2026-10/salud.csv',
            source: 'salud',
            status: 'processing',
            chunks: { done: 3, total: 5 },
            buckets: { done: 0, total: 4 },
            publish: { done: 0, total: 0 },
            bytes: 1048576,
            createdAt: '2026-11-02T10:00:00.000Z',
            updatedAt: '2026-11-02T10:01:00.000Z',
          },
        ],
      },
    },
    ...errorResponses(400, 403),
  },
});

/**
 * Ingest progress: `GET /v1/cuts/{cut}` lists the runs of the cut's files — chunks and buckets done,
 * identity parts published once the run is accepted, status, and the report once finished — for
 * the data team's CLI and dashboards. National role only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoDocumentClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { roleMay } from '../../shared/domain/access';
import { DynamoRunStore } from '../adapters/dynamo-run-store';
import { cutStatusRoute } from '../api/routes';

const envSchema = endpointEnvSchema.extend({ INGEST_RUNS_TABLE: z.string().min(1) });

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-cuts-api');
  const runs = new DynamoRunStore(dynamoDocumentClient(env), env.INGEST_RUNS_TABLE);

  const route = httpHandler(logger, async (event) => {
    const principal = principalOf(event);
    if (!roleMay(principal, 'ingest:read')) {
      throw new HttpError(403, 'forbidden', `el rol ${principal.role} no puede leer el avance de la ingesta`);
    }
    const { cut } = parseRequest(cutStatusRoute, event).params;
    const list = (await runs.ofCut(cut)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return reply(cutStatusRoute, 200, {
      cut,
      runs: list.map((r) => ({
        runId: r.runId,
        objectKey: r.objectKey,
        source: r.source,
        status: r.status,
        chunks: { done: r.chunksDone, total: r.chunkCount },
        buckets: { done: r.bucketsDone, total: r.bucketCount },
        publish: { done: r.partsPublished, total: r.publishTotal },
        bytes: r.bytes,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        ...(r.failure ? { failure: r.failure } : {}),
        ...(r.report ? { report: r.report } : {}),
      })),
    });
  });
  return middy(route).use(injectLambdaContext(logger));
}

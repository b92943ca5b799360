/**
 * Ingest watchdog: on a schedule, ends every ingest run that stopped progressing (still processing
 * or finalizing, its record unchanged for INGEST_STALL_MINUTES) as failed in processing, writing its
 * rejected report next to the upload, so that the file can be uploaded again or retried with
 * `npm run san -- retry` (see `domain/run-recovery.ts`). It needs the run table and the raw bucket's
 * reports only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDocumentClient, s3Client } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { createLogger } from '../../shared/adapters/logger';
import { S3ObjectStore } from '../../shared/adapters/s3-object-store';
import { DynamoRunStore } from '../adapters/dynamo-run-store';
import { stallMinutesSchema } from '../adapters/stall-env';
import { failStalledRuns } from '../domain/run-recovery';

const envSchema = endpointEnvSchema.extend({
  INGEST_RUNS_TABLE: z.string().min(1),
  RAW_BUCKET: z.string().min(3),
  INGEST_STALL_MINUTES: stallMinutesSchema,
});

export interface WatchdogSummary {
  /** Runs ended by this pass, with the report written for each. */
  readonly failed: readonly { readonly runId: string; readonly objectKey: string }[];
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-ingest-watchdog');
  const runs = new DynamoRunStore(dynamoDocumentClient(env), env.INGEST_RUNS_TABLE);
  const raw = new S3ObjectStore(s3Client(env), env.RAW_BUCKET);

  const handle = async (_event: ScheduledEvent, _context: Context): Promise<WatchdogSummary> => {
    const ended = await failStalledRuns({ runs, raw, stallMinutes: env.INGEST_STALL_MINUTES });
    for (const { run } of ended) {
      logger.warn('stalled ingest run ended as failed', {
        runId: run.runId,
        objectKey: run.objectKey,
        status: run.status,
        updatedAt: run.updatedAt,
        chunks: `${run.chunksDone}/${run.chunkCount}`,
        buckets: `${run.bucketsDone}/${run.bucketCount}`,
      });
    }
    return { failed: ended.map(({ run }) => ({ runId: run.runId, objectKey: run.objectKey })) };
  };
  return middy(handle).use(injectLambdaContext(logger));
}

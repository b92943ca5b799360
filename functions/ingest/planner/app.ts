/**
 * Ingest planner: triggered by S3 ObjectCreated events on the raw bucket. For each uploaded extract
 * it checks the header, splits the file into chunks in one streaming pass and queues their tasks
 * (see `domain/run/plan.ts`); a file refused as a whole gets its error report here.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import { createLogger } from '../../shared/adapters/logger';
import { ingestDepsFromEnv } from '../adapters/ingest-deps';
import type { PlanOutcome } from '../domain/run/plan';
import { planRun } from '../domain/run/plan';

export interface PlanSummary {
  readonly plans: readonly (PlanOutcome & { readonly objectKey: string })[];
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const { env, deps } = ingestDepsFromEnv(rawEnv);
  const logger = createLogger('san-ingest');

  const handle = async (event: S3Event, _context: Context): Promise<PlanSummary> => {
    const plans: (PlanOutcome & { objectKey: string })[] = [];
    for (const record of event.Records ?? []) {
      if (record.s3.bucket.name !== env.RAW_BUCKET) {
        logger.warn('event for another bucket ignored', { bucket: record.s3.bucket.name });
        continue;
      }
      const objectKey = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const outcome = await planRun(await deps(), objectKey);
      logger.info('extract planned', {
        objectKey,
        status: outcome.status,
        ...(outcome.status === 'planned'
          ? { runId: outcome.runId, chunks: outcome.chunks, buckets: outcome.buckets }
          : {}),
        ...(outcome.status === 'rejected' ? { problem: outcome.report?.error?.problem } : {}),
      });
      plans.push({ ...outcome, objectKey });
    }
    return { plans };
  };
  return middy(handle).use(injectLambdaContext(logger));
}

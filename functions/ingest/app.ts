/**
 * Ingest function: triggered by S3 ObjectCreated events on the raw bucket. Thin: it parses the
 * environment at cold start, builds the adapters, and hands each object to the ingest use case.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import { z } from 'zod';
import { EXTRACTS_PREFIX } from '../../infra/system';
import { dynamoDocumentClient, s3Client, sqsClient } from '../shared/aws-clients';
import type { Pseudonymiser } from '../shared/domain/pseudonym';
import { createPseudonymiser } from '../shared/domain/pseudonym';
import { endpointEnvSchema, parseEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { loadPseudonymKey } from '../shared/pseudonym-key';
import { DynamoIdentityStore } from './adapters/dynamo-identity-store';
import { S3ObjectStore } from './adapters/s3-object-store';
import { SqsScoreRequestQueue } from './adapters/sqs-score-request-queue';
import type { IngestReport } from './domain/ingest-extract';
import { ingestObject } from './domain/ingest-object';

const envSchema = endpointEnvSchema.extend({
  RAW_BUCKET: z.string().min(3),
  CURATED_BUCKET: z.string().min(3),
  IDENTITIES_TABLE: z.string().min(1),
  SCORE_REQUESTS_QUEUE_URL: z.url(),
  PSEUDONYM_KEY_SOURCE: z.string().min(1),
});

export interface IngestSummary {
  readonly reports: readonly IngestReport[];
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-ingest');
  const s3 = s3Client(env);
  const db = dynamoDocumentClient(env);
  let pseudonymiser: Promise<Pseudonymiser> | undefined;
  const extracts = new S3ObjectStore(s3, env.RAW_BUCKET);
  const curated = new S3ObjectStore(s3, env.CURATED_BUCKET);
  const identities = new DynamoIdentityStore(db, env.IDENTITIES_TABLE);
  const scoreRequests = new SqsScoreRequestQueue(sqsClient(env), env.SCORE_REQUESTS_QUEUE_URL);

  const handle = async (event: S3Event, _context: Context): Promise<IngestSummary> => {
    pseudonymiser ??= loadPseudonymKey(env.PSEUDONYM_KEY_SOURCE, env).then(createPseudonymiser);
    const deps = {
      extracts,
      curated,
      identities,
      scoreRequests,
      pseudonymiser: await pseudonymiser,
      extractsPrefix: EXTRACTS_PREFIX,
    };
    const reports: IngestReport[] = [];
    for (const record of event.Records ?? []) {
      if (record.s3.bucket.name !== env.RAW_BUCKET) {
        logger.warn('event for another bucket ignored', { bucket: record.s3.bucket.name });
        continue;
      }
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const report = await ingestObject(deps, key);
      if (!report) {
        logger.warn('object no longer exists', { key });
        continue;
      }
      logger.info('extract ingested', {
        key,
        status: report.status,
        rowsRead: report.rowsRead,
        accepted: report.accepted,
        rejected: report.rejected,
        duplicates: report.duplicates,
        ...(report.error ? { problem: report.error.problem } : {}),
      });
      reports.push(report);
    }
    return { reports };
  };
  return middy(handle).use(injectLambdaContext(logger));
}

/**
 * Builds the ingest pipeline's adapters from a function's environment; shared by the planner
 * (S3-triggered) and the worker (queue-triggered), which need the same buckets, tables and queues.
 */
import { z } from 'zod';
import { DynamoIdentityStore } from '../../identity/adapters/dynamo-identity-store';
import { dynamoDocumentClient, s3Client, sqsClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { loadPseudonymKey } from '../../shared/adapters/pseudonym-key';
import { S3ObjectStore } from '../../shared/adapters/s3-object-store';
import { createPseudonymiser } from '../../shared/domain/pseudonym';
import type { IngestRunDeps } from '../domain/run/deps';
import { DynamoRunStore } from './dynamo-run-store';
import { SqsIngestTaskQueue, SqsScoreRequestQueue } from './sqs-queues';
import { stallMinutesSchema } from './stall-env';

export const ingestEnvSchema = endpointEnvSchema.extend({
  RAW_BUCKET: z.string().min(3),
  WORK_BUCKET: z.string().min(3),
  CURATED_BUCKET: z.string().min(3),
  IDENTITIES_TABLE: z.string().min(1),
  INGEST_RUNS_TABLE: z.string().min(1),
  INGEST_TASKS_QUEUE_URL: z.url(),
  SCORE_REQUESTS_QUEUE_URL: z.url(),
  PSEUDONYM_KEY_SOURCE: z.string().min(1),
  INGEST_CHUNK_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(512 * 1024 ** 2),
  INGEST_REDUCE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 ** 3),
  INGEST_MAX_FIELD_CHARS: z.coerce.number().int().min(16).max(1_000_000),
  INGEST_MAX_RECORD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 ** 2)
    .default(1024 ** 2),
  INGEST_MAX_DECOMPRESSED_BYTES: z.coerce.number().int().min(1024),
  INGEST_STALL_MINUTES: stallMinutesSchema,
  /** Prefix under which extracts are uploaded, as `<prefix><cut>/<source>.csv[.gz]`. */
  INGEST_EXTRACTS_PREFIX: z.string().regex(/^[^/].*\/$/, 'must be a key prefix ending in /'),
  /** Receives of a task message before it moves to the dead-letter queue. */
  INGEST_TASKS_MAX_RECEIVES: z.coerce.number().int().min(1),
});

export type IngestEnv = z.infer<typeof ingestEnvSchema>;

/** Parses the environment now (cold start) and returns a loader for the dependencies. */
export function ingestDepsFromEnv(rawEnv: Readonly<Record<string, string | undefined>>): {
  env: IngestEnv;
  deps: () => Promise<IngestRunDeps>;
} {
  const env = parseEnv(ingestEnvSchema, rawEnv);
  const s3 = s3Client(env);
  const db = dynamoDocumentClient(env);
  const sqs = sqsClient(env);
  let deps: Promise<IngestRunDeps> | undefined;
  const build = async (): Promise<IngestRunDeps> => ({
    raw: new S3ObjectStore(s3, env.RAW_BUCKET),
    work: new S3ObjectStore(s3, env.WORK_BUCKET),
    curated: new S3ObjectStore(s3, env.CURATED_BUCKET),
    runs: new DynamoRunStore(db, env.INGEST_RUNS_TABLE),
    tasks: new SqsIngestTaskQueue(sqs, env.INGEST_TASKS_QUEUE_URL),
    identities: new DynamoIdentityStore(db, env.IDENTITIES_TABLE),
    scoreRequests: new SqsScoreRequestQueue(sqs, env.SCORE_REQUESTS_QUEUE_URL),
    pseudonymiser: createPseudonymiser(await loadPseudonymKey(env.PSEUDONYM_KEY_SOURCE, env)),
    extractsPrefix: env.INGEST_EXTRACTS_PREFIX,
    sizes: { chunkBytes: env.INGEST_CHUNK_BYTES, reduceBytes: env.INGEST_REDUCE_BYTES },
    readOptions: {
      maxFieldChars: env.INGEST_MAX_FIELD_CHARS,
      maxDecompressedBytes: env.INGEST_MAX_DECOMPRESSED_BYTES,
      maxRecordBytes: env.INGEST_MAX_RECORD_BYTES,
    },
    stallMinutes: env.INGEST_STALL_MINUTES,
  });
  return {
    env,
    deps: () => {
      deps ??= build().catch((error: unknown) => {
        deps = undefined;
        throw error;
      });
      return deps;
    },
  };
}

/**
 * Score function: consumes (cut, comuna) requests from SQS, one comuna per message. It scores with
 * the version the model registry has deployed and, when a candidate is in shadow, also with it
 * (without writing the roster: `scoreComuna` writes its shadow report). Each version's file is read
 * from the models bucket, checked against the hash its record keeps and loaded once per container
 * (with the load-time integrity checks); the registry is read once per batch, so a promotion or a
 * rollback takes effect at the next batch. An empty registry is bootstrapped with the layer's model
 * (MODEL_PATH) as the deployed version. A deployed model that cannot be loaded fails the invocation
 * itself, and the messages go back to the queue; a candidate that cannot be loaded is logged and
 * left out, so that it never stops the roster.
 */
import { readFile } from 'node:fs/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoRegistryStore } from '../../models/adapters/dynamo-registry-store';
import { ModelGovernance } from '../../models/domain/governance';
import type { ModelRecord } from '../../models/domain/lifecycle';
import { ModelObjects } from '../../models/domain/model-store';
import { DynamoRosterStore } from '../../roster/adapters/dynamo-roster-store';
import { dynamoDocumentClient, s3Client } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { createLogger } from '../../shared/adapters/logger';
import { countMetric } from '../../shared/adapters/observability';
import { S3ObjectStore } from '../../shared/adapters/s3-object-store';
import { sqsBatchHandler } from '../../shared/adapters/sqs-batch';
import { isKnownComuna } from '../../shared/domain/comunas';
import { hasOffice } from '../../shared/domain/oln-offices';
import { inspectModelFile } from '../adapters/model-file';
import { OnnxModelRunner } from '../adapters/onnx-model-runner';
import { S3CuratedReader } from '../adapters/s3-curated-reader';
import { ObjectDriftStore } from '../domain/drift-store';
import type { ModelRunner } from '../domain/model-info';
import { ModelLoadError } from '../domain/model-info';
import type { ShadowDeps } from '../domain/score-comuna';
import { scoreComuna } from '../domain/score-comuna';

const envSchema = endpointEnvSchema.extend({
  CURATED_BUCKET: z.string().min(3),
  ROSTER_TABLE: z.string().min(1),
  MODEL_PATH: z.string().min(1),
  MODELS_BUCKET: z.string().min(3),
  MODELS_TABLE: z.string().min(1),
});

export const scoreRequestSchema = z.object({
  cut: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'cut must be yyyy-mm'),
  comuna: z.string().refine(isKnownComuna, 'comuna is not in the official CUT list'),
});

interface Versions {
  readonly model: ModelRunner;
  readonly shadow?: ModelRunner;
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-score');
  const curated = new S3CuratedReader(s3Client(env), env.CURATED_BUCKET);
  const roster = new DynamoRosterStore(dynamoDocumentClient(env), env.ROSTER_TABLE);
  const drift = new ObjectDriftStore(new S3ObjectStore(s3Client(env), env.CURATED_BUCKET));
  const objects = new ModelObjects(new S3ObjectStore(s3Client(env), env.MODELS_BUCKET));
  const governance = new ModelGovernance({
    store: new DynamoRegistryStore(dynamoDocumentClient(env), env.MODELS_TABLE),
    objects,
    inspect: async (bytes) => inspectModelFile(bytes),
  });
  const runners = new Map<string, Promise<ModelRunner>>();

  /** The version's runner, loaded once per container from its checked file. */
  const runnerOf = (record: ModelRecord): Promise<ModelRunner> => {
    let runner = runners.get(record.version);
    if (!runner) {
      runner = governance
        .fileOf(record)
        .then((bytes) => OnnxModelRunner.fromBytes(bytes))
        .then((loaded) => {
          if (loaded.info.version !== record.version) {
            throw new ModelLoadError(
              `the file registered as ${record.version} declares version ${loaded.info.version}`,
            );
          }
          return loaded;
        });
      runners.set(record.version, runner);
      runner.catch(() => runners.delete(record.version));
    }
    return runner;
  };

  const loadVersions = async (): Promise<Versions> => {
    let { deployed, candidate } = await governance.scoringVersions();
    if (!deployed) {
      let bytes: Buffer;
      try {
        bytes = await readFile(env.MODEL_PATH);
      } catch (error) {
        throw new ModelLoadError(`cannot read the model file ${env.MODEL_PATH}: ${(error as Error).message}`);
      }
      deployed = await governance.bootstrap(bytes, new Date().toISOString());
      logger.info('model registry bootstrapped with the layer model', { version: deployed.version });
    }
    // Only the versions in use stay loaded.
    for (const version of runners.keys()) {
      if (version !== deployed.version && version !== candidate?.version) runners.delete(version);
    }
    const model = await runnerOf(deployed);
    if (!candidate) return { model };
    try {
      return { model, shadow: await runnerOf(candidate) };
    } catch (error) {
      logger.error('shadow model not loaded; scoring without it', {
        version: candidate.version,
        error: (error as Error).message,
      });
      return { model };
    }
  };

  let versions: Versions | undefined;

  const scoreRecord = async (request: z.infer<typeof scoreRequestSchema>): Promise<void> => {
    // A nómina exists only where an office works from it; a request queued before an office closed is done.
    if (!hasOffice(request.comuna)) {
      logger.info('comuna without an OLN office: not scored', { comuna: request.comuna, cut: request.cut });
      return;
    }
    const current = versions ?? (await loadVersions());
    const shadow: ShadowDeps | undefined = current.shadow
      ? {
          model: current.shadow,
          hasReport: async (version, cut, comuna) =>
            (await objects.shadowReport(version, cut, comuna)) !== undefined,
          writeReport: (report) => objects.putShadowReport(report),
        }
      : undefined;
    const outcome = await scoreComuna(
      { curated, model: current.model, roster, drift, ...(shadow ? { shadow } : {}) },
      request.cut,
      request.comuna,
    );
    if (outcome.status === 'scored' || outcome.status === 'unchanged') {
      await objects.markScored(request.cut, request.comuna, current.model.info.version);
    }
    if (outcome.status === 'scored' && outcome.drift && outcome.drift.level !== 'estable') {
      countMetric('driftFlagged', outcome.drift.level);
      logger.warn('drift flagged', {
        ...request,
        level: outcome.drift.level,
        flagged: outcome.drift.flagged,
      });
    }
    logger.info('comuna scored', { ...request, ...outcome });
    countMetric('comunasScored', request.comuna);
  };

  const handle = sqsBatchHandler({
    schema: scoreRequestSchema,
    what: 'a score request',
    logger,
    process: scoreRecord,
  });
  const handleWithModel: typeof handle = async (event, context) => {
    // Not per record: a refused deployed model is the function's failure, not each message's.
    versions = await loadVersions();
    try {
      return await handle(event, context);
    } finally {
      versions = undefined;
    }
  };
  return middy(handleWithModel).use(injectLambdaContext(logger));
}

/**
 * Score function: consumes (cut, comuna) requests from SQS, one comuna per message. The ONNX model is
 * loaded once per container, before the batch is processed: a model that breaks the feature contract
 * or fails an integrity check (version, weights hash, input width, ventile cut points) fails the
 * invocation itself with that error, and the messages go back to the queue.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoRosterStore } from '../../roster/adapters/dynamo-roster-store';
import { dynamoDocumentClient, s3Client } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { createLogger } from '../../shared/adapters/logger';
import { countMetric } from '../../shared/adapters/observability';
import { S3ObjectStore } from '../../shared/adapters/s3-object-store';
import { sqsBatchHandler } from '../../shared/adapters/sqs-batch';
import { isPilotComuna } from '../../shared/domain/comunas';
import { OnnxModelRunner } from '../adapters/onnx-model-runner';
import { S3CuratedReader } from '../adapters/s3-curated-reader';
import { ObjectDriftStore } from '../domain/drift-store';
import type { ModelRunner } from '../domain/model-info';
import { scoreComuna } from '../domain/score-comuna';

const envSchema = endpointEnvSchema.extend({
  CURATED_BUCKET: z.string().min(3),
  ROSTER_TABLE: z.string().min(1),
  MODEL_PATH: z.string().min(1),
});

export const scoreRequestSchema = z.object({
  cut: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'cut must be yyyy-mm'),
  comuna: z.string().refine(isPilotComuna, 'comuna is not a SAN comuna'),
});

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-score');
  const curated = new S3CuratedReader(s3Client(env), env.CURATED_BUCKET);
  const roster = new DynamoRosterStore(dynamoDocumentClient(env), env.ROSTER_TABLE);
  const drift = new ObjectDriftStore(new S3ObjectStore(s3Client(env), env.CURATED_BUCKET));
  let model: Promise<ModelRunner> | undefined;

  const loadModel = (): Promise<ModelRunner> =>
    (model ??= OnnxModelRunner.load(env.MODEL_PATH).catch((error: unknown) => {
      model = undefined;
      throw error;
    }));

  const scoreRecord = async (request: z.infer<typeof scoreRequestSchema>): Promise<void> => {
    const outcome = await scoreComuna(
      { curated, model: await loadModel(), roster, drift },
      request.cut,
      request.comuna,
    );
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
    // Not per record: a refused model is the function's failure, not each message's.
    await loadModel();
    return handle(event, context);
  };
  return middy(handleWithModel).use(injectLambdaContext(logger));
}

/**
 * AWS SDK clients built once per function container from its environment. Endpoint overrides
 * (set only by the local runtime and the integration tests) point them at the local stand-ins.
 * In a Lambda entry, each client is captured by the function's tracer (`tracing.ts` registers it),
 * so its calls are X-Ray subsegments; elsewhere (the local runtime, the tests) clients are plain.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EndpointEnv } from './env';

const cache = new Map<string, unknown>();

type ClientWrapper = <C extends object>(client: C) => C;
let wrap: ClientWrapper = (client) => client;

/** Wraps every client built from now on (the tracer's capture, registered by `tracing.ts`). */
export function traceClientsWith(wrapper: ClientWrapper): void {
  wrap = wrapper;
}

/** The client as the registered wrapper makes it (traced in a Lambda entry; otherwise as it is). */
const traced = <C extends object>(client: C): C => wrap(client);

function memo<T>(key: string, build: () => T): T {
  const hit = cache.get(key);
  if (hit) return hit as T;
  const client = build();
  cache.set(key, client);
  return client;
}

export function s3Client(env: EndpointEnv): S3Client {
  return memo(`s3|${env.AWS_REGION}|${env.AWS_ENDPOINT_URL_S3}|${env.S3_FORCE_PATH_STYLE}`, () =>
    traced(
      new S3Client({
        region: env.AWS_REGION,
        ...(env.AWS_ENDPOINT_URL_S3 ? { endpoint: env.AWS_ENDPOINT_URL_S3 } : {}),
        forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
      }),
    ),
  );
}

/** The plain DynamoDB client, for libraries that marshal items themselves (Powertools Idempotency). */
export function dynamoClient(env: EndpointEnv): DynamoDBClient {
  return memo(`ddb-raw|${env.AWS_REGION}|${env.AWS_ENDPOINT_URL_DYNAMODB}`, () =>
    traced(
      new DynamoDBClient({
        region: env.AWS_REGION,
        ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
      }),
    ),
  );
}

/** Shares the plain client's middleware, and so its tracing. */
export function dynamoDocumentClient(env: EndpointEnv): DynamoDBDocumentClient {
  return memo(`ddb|${env.AWS_REGION}|${env.AWS_ENDPOINT_URL_DYNAMODB}`, () =>
    DynamoDBDocumentClient.from(dynamoClient(env), { marshallOptions: { removeUndefinedValues: true } }),
  );
}

export function sqsClient(env: EndpointEnv): SQSClient {
  return memo(`sqs|${env.AWS_REGION}|${env.AWS_ENDPOINT_URL_SQS}`, () =>
    traced(
      new SQSClient({
        region: env.AWS_REGION,
        ...(env.AWS_ENDPOINT_URL_SQS ? { endpoint: env.AWS_ENDPOINT_URL_SQS } : {}),
      }),
    ),
  );
}

export function snsClient(env: EndpointEnv): SNSClient {
  return memo(`sns|${env.AWS_REGION}|${env.AWS_ENDPOINT_URL_SNS}`, () =>
    traced(
      new SNSClient({
        region: env.AWS_REGION,
        ...(env.AWS_ENDPOINT_URL_SNS ? { endpoint: env.AWS_ENDPOINT_URL_SNS } : {}),
      }),
    ),
  );
}

export function secretsClient(env: EndpointEnv): SecretsManagerClient {
  return memo(`sm|${env.AWS_REGION}`, () => traced(new SecretsManagerClient({ region: env.AWS_REGION })));
}

/**
 * AWS SDK clients built once per function container from its environment. Endpoint overrides
 * (set only by the local runtime and the integration tests) point them at the local stand-ins.
 * Each client is captured by the function's tracer, so its calls are X-Ray subsegments.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EndpointEnv } from './env';
import { tracer } from './observability';

const cache = new Map<string, unknown>();

/** The client with its calls traced (when tracing is on; otherwise the client as it is). */
const traced = <C extends object>(client: C): C => tracer().captureAWSv3Client(client);

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

export function secretsClient(env: EndpointEnv): SecretsManagerClient {
  return memo(`sm|${env.AWS_REGION}`, () => traced(new SecretsManagerClient({ region: env.AWS_REGION })));
}

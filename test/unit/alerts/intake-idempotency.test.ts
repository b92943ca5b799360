import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/alerts/intake/app';
import { fakeIdempotencyTable } from '../fake-idempotency-table';
import { context, fixture, keyFileSource } from '../fixtures';

const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);
const raw = mockClient(DynamoDBClient);
const env = {
  AWS_REGION: 'us-east-1',
  ALERTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/alerts',
  IDEMPOTENCY_TABLE: 'idempotency',
  PSEUDONYM_KEY_SOURCE: keyFileSource(),
};
const handler = createHandler(env);
type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const call = async (event: Event, h = handler) =>
  (await h(event, context)) as APIGatewayProxyStructuredResultV2;
const KEY = '5f0c8a4e-2b7d-4c1e-9a3f-0d6b8e2c4a71';
/** The fixture's alert, sent with `key` (if any) by `subject`, its body changed by `change`. */
const post = (key: string | undefined, subject = 'user-1', change: Record<string, unknown> = {}): Event => {
  const event = fixture<Event>('http-post-alert.json');
  event.headers = { ...event.headers, ...(key === undefined ? {} : { 'idempotency-key': key }) };
  event.requestContext.authorizer.jwt.claims.sub = subject;
  event.body = JSON.stringify({ ...JSON.parse(event.body ?? '{}'), ...change });
  return event;
};
const bodyOf = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(response.body ?? '{}');

describe('POST /v1/alerts with an Idempotency-Key', () => {
  beforeEach(() => {
    sqs.reset();
    ddb.reset();
    raw.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    ddb.on(PutCommand).resolves({});
    fakeIdempotencyTable(raw);
  });

  it('answers a retry with the first 202 and the same alert, filing nothing new', async () => {
    const first = await call(post(KEY));
    const retry = await call(post(KEY));
    expect(first.statusCode).toBe(202);
    expect(retry.statusCode).toBe(202);
    expect(bodyOf(retry)).toEqual(bodyOf(first));
    expect(retry.headers?.location).toBe(first.headers?.location);
    expect(retry.headers?.['idempotent-replayed']).toBe('true');
    expect(first.headers?.['idempotent-replayed']).toBeUndefined();
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('takes the same body with its fields in another order as the same request', async () => {
    const first = await call(post(KEY));
    const reordered = post(KEY);
    const body = JSON.parse(reordered.body ?? '{}');
    reordered.body = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()));
    const retry = await call(reordered);
    expect(retry.statusCode).toBe(202);
    expect(bodyOf(retry).alertId).toBe(bodyOf(first).alertId);
  });

  it('answers 409 idempotency_key_reused to another body under the same key', async () => {
    const first = await call(post(KEY));
    const other = await call(post(KEY, 'user-1', { riskFactor: 'situacion_de_calle' }));
    expect(first.statusCode).toBe(202);
    expect(other.statusCode).toBe(409);
    const error = bodyOf(other).error;
    expect(error.code).toBe('idempotency_key_reused');
    expect(error.message).toContain('clave de idempotencia');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('answers 409 request_in_progress to a duplicate sent while the first is still filing', async () => {
    let release: () => void = () => undefined;
    sqs
      .on(SendMessageCommand)
      .callsFake(() => new Promise((resolve) => (release = () => resolve({ MessageId: 'm-1' }))));
    const first = call(post(KEY));
    await expect.poll(() => sqs.commandCalls(SendMessageCommand).length).toBe(1);
    const duplicate = await call(post(KEY));
    expect(duplicate.statusCode).toBe(409);
    expect(bodyOf(duplicate).error.code).toBe('request_in_progress');
    release();
    expect((await first).statusCode).toBe(202);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('scopes keys per caller: two users with the same key file two alerts', async () => {
    const a = await call(post(KEY, 'user-1'));
    const b = await call(post(KEY, 'user-2'));
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(bodyOf(a).alertId).not.toBe(bodyOf(b).alertId);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  });

  it('lets a retry file the alert when the first attempt failed', async () => {
    sqs.on(SendMessageCommand).rejectsOnce(new Error('queue unavailable')).resolves({ MessageId: 'm-2' });
    expect((await call(post(KEY))).statusCode).toBe(500);
    const retry = await call(post(KEY));
    expect(retry.statusCode).toBe(202);
    expect(retry.headers?.['idempotent-replayed']).toBeUndefined();
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  });

  it('files every request without a key, as before', async () => {
    const a = await call(post(undefined));
    const b = await call(post(undefined));
    expect(bodyOf(a).alertId).not.toBe(bodyOf(b).alertId);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
    expect(raw.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('answers 400 invalid_idempotency_key, in Spanish and without echoing it, to a malformed key', async () => {
    for (const key of [
      '',
      'corta',
      'con espacios dentro',
      `${KEY},${KEY}`,
      'clave-ñandú-123',
      'k'.repeat(129),
    ]) {
      const response = await call(post(key));
      expect(response.statusCode, key).toBe(400);
      const error = bodyOf(response).error;
      expect(error.code).toBe('invalid_idempotency_key');
      expect(error.message).toContain('la cabecera Idempotency-Key no es válida');
      if (key.length > 0) expect(response.body).not.toContain(key);
    }
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect((await call(post(`"${KEY}"`))).statusCode).toBe(202);
  });

  it('keeps a key for the configured time, 24 hours unless told', async () => {
    const now = Date.now() / 1000;
    await call(post(KEY));
    const expiry = Number(raw.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.expiration?.N);
    expect(expiry).toBeGreaterThanOrEqual(Math.floor(now + 24 * 3600));
    expect(expiry).toBeLessThan(now + 24 * 3600 + 60);

    raw.resetHistory();
    const hourly = createHandler({ ...env, IDEMPOTENCY_EXPIRY_SECONDS: '3600' });
    await call(post('another-key-0001'), hourly);
    const shorter = Number(raw.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.expiration?.N);
    expect(shorter).toBeLessThan(now + 3600 + 60);
  });
});

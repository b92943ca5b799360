/**
 * The models API over in-memory stores: who may read and change the registry (a coordinador is
 * refused in Spanish), an invalid transition answered 409 with the current state and what is
 * needed, a registered file refused when swapped, a retry under the same Idempotency-Key answered
 * with the first result, and the comunas of the current cut queued again when scoring must follow.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/models/api/app';
import { ModelObjects } from '../../../functions/models/domain/model-store';
import { inspectModelFile } from '../../../functions/score/adapters/model-file';
import { onnx } from '../../../functions/score/adapters/onnx-proto';
import { fakeIdempotencyTable } from '../fake-idempotency-table';
import { context } from '../fixtures';
import { MemoryStore } from '../ingest/memory-ports';
import { MemoryRegistry } from './memory-registry';

const LAYER = readFileSync('layers/model/risk-model.onnx');
const VERSION = inspectModelFile(LAYER).version;
const raw = mockClient(DynamoDBClient);
const env = {
  AWS_REGION: 'us-east-1',
  MODELS_BUCKET: 'models',
  MODELS_TABLE: 'models',
  SCORE_REQUESTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/score',
  IDEMPOTENCY_TABLE: 'idempotency',
};

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
function event(
  method: string,
  path: string,
  options: { role?: string; body?: unknown; params?: Record<string, string>; key?: string } = {},
): Event {
  const template = path
    .replace(/logistic-[^/]+/, '{version}')
    .replace(/^\/v1\/comunas\/\d{5}\/shadow\/[\d-]+$/, '/v1/comunas/{comuna}/shadow/{cut}');
  return {
    version: '2.0',
    routeKey: `${method} ${template}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.key ? { 'idempotency-key': options.key } : {}),
    },
    ...(options.params ? { pathParameters: options.params } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    isBase64Encoded: false,
    requestContext: {
      authorizer: {
        jwt: {
          claims: {
            sub: `u-${options.role ?? 'administrador_central'}`,
            'custom:role': options.role ?? 'administrador_central',
            'custom:comunas': options.role === 'coordinador' ? '13101' : '*',
          },
          scopes: [],
        },
        principalId: '',
        integrationLatency: 0,
      },
      requestId: 'r-1',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    },
  } as unknown as Event;
}

function setup() {
  const store = new MemoryRegistry();
  const bucket = new MemoryStore();
  const objects = new ModelObjects(bucket);
  const queued: { cut: string; comuna: string }[] = [];
  const handler = createHandler(env, { store, objects, rescore: async (r) => void queued.push(...r) });
  const call = async (e: Event) => {
    const out = (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
    return { status: out.statusCode, body: JSON.parse(out.body ?? '{}'), headers: out.headers ?? {} };
  };
  return { store, bucket, objects, queued, call };
}

const register = (key?: string) =>
  event('POST', '/v1/models', {
    body: { file: LAYER.toString('base64'), reason: 'modelo de prueba' },
    ...(key ? { key } : {}),
  });
const transition = (action: string, body: unknown, role?: string) =>
  event('POST', `/v1/models/${VERSION}/${action}`, {
    body,
    params: { version: VERSION },
    ...(role ? { role } : {}),
  });

describe('models API', () => {
  beforeEach(() => {
    raw.reset();
    fakeIdempotencyTable(raw);
  });

  it('registers a file and lists it with its state and history', async () => {
    const { call } = setup();
    const created = await call(register());
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ version: VERSION, state: 'registered', stateLabel: 'registrado' });
    const list = await call(event('GET', '/v1/models', { role: 'coordinador_regional' }));
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ deployed: null, candidate: null, models: [{ version: VERSION }] });
    expect(list.body.models[0].history[0]).toMatchObject({
      action: 'register',
      by: { subject: 'u-administrador_central', role: 'administrador_central' },
      reason: 'modelo de prueba',
    });
  });

  it('refuses a coordinador with 403 in Spanish, for reading and for approving', async () => {
    const { call, store } = setup();
    await call(register());
    await call(transition('shadow', {}));
    const approve = await call(transition('approve', { reason: 'me parece bien' }, 'coordinador'));
    expect(approve.status).toBe(403);
    expect(approve.body.error).toEqual({
      code: 'forbidden',
      message: 'el rol coordinador no puede aprobar versiones del modelo: solo administrador_central',
    });
    expect(store.registry.versions[VERSION]?.state).toBe('shadow');
    expect((await call(event('GET', '/v1/models', { role: 'coordinador' }))).status).toBe(403);
  });

  it('answers an invalid transition 409 with the current state and what is needed', async () => {
    const { call } = setup();
    await call(register());
    const early = await call(transition('promote', { reason: 'sin aprobación' }));
    expect(early.status).toBe(409);
    expect(early.body.error).toEqual({
      code: 'invalid_transition',
      message: `no se puede promover la versión ${VERSION}: está registrado, y para promover debe estar aprobado`,
    });
    const noReason = await call(transition('approve', {}));
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([{ path: 'body.reason', message: expect.any(String) }]);
  });

  it('refuses a file with swapped weights with 400, naming the check', async () => {
    const { call, bucket } = setup();
    const model = onnx.ModelProto.decode(LAYER);
    const weights = model.graph?.initializer?.find((t) => t.name === 'weight_row')?.floatData as number[];
    weights[0] = (weights[0] as number) + 1;
    const swapped = Buffer.from(onnx.ModelProto.encode(model).finish()).toString('base64');
    const out = await call(event('POST', '/v1/models', { body: { file: swapped } }));
    expect(out.status).toBe(400);
    expect(out.body.error.code).toBe('invalid_model');
    expect(out.body.error.message).toMatch(/weights hash check/);
    expect(bucket.objects.size).toBe(0);
  });

  it('answers a retry under the same Idempotency-Key with the first answer', async () => {
    const { call, store } = setup();
    const first = await call(register('registro-0001'));
    const retry = await call(register('registro-0001'));
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(store.revision).toBe(1);
  });

  it('queues the comunas of the current cut again on shadow, and serves the shadow report by comuna and cut', async () => {
    const { call, objects, queued } = setup();
    await objects.markScored('2026-10', '13101', 'logistic-1-aaaaaaaa');
    await objects.markScored('2026-10', '08101', 'logistic-1-aaaaaaaa');
    await call(register());
    await call(transition('shadow', {}));
    expect(queued).toEqual([
      { cut: '2026-10', comuna: '08101' },
      { cut: '2026-10', comuna: '13101' },
    ]);
    const missing = await call(
      event('GET', '/v1/comunas/13101/shadow/2026-10', {
        role: 'coordinador',
        params: { comuna: '13101', cut: '2026-10' },
      }),
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(
      `no hay informe en sombra de la versión ${VERSION} para la comuna 13101 en el corte 2026-10`,
    );
    const other = await call(
      event('GET', '/v1/comunas/08101/shadow/2026-10', {
        role: 'coordinador',
        params: { comuna: '08101', cut: '2026-10' },
      }),
    );
    expect(other.status).toBe(403);
  });
});

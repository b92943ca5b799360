import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/identity/audit/app';
import { accessLogRange } from '../../../functions/identity/domain/access';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { parseRun } from '../../../functions/shared/domain/run';
import { context, fixture } from '../fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const KEY = 'k'.repeat(64);
const handler = createHandler(
  { AWS_REGION: 'us-east-1', ACCESS_LOG_TABLE: 'access-log', PSEUDONYM_KEY_SOURCE: 'file:/nonexistent' },
  { pseudonymiser: createPseudonymiser(KEY) },
);
type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const CHILD = 'n-child00000000000000000';

const event = (query: Record<string, string>, claims: Record<string, string> = {}): Event => {
  const e = fixture<Event>('http-get-access-log.json');
  Object.assign(e.requestContext.authorizer.jwt.claims, claims);
  return { ...e, queryStringParameters: query };
};
const call = async (e: Event) => {
  const r = (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
  return { status: r.statusCode, body: JSON.parse(r.body ?? '{}') };
};

const granted = {
  childId: CHILD,
  at: '2026-12-05T14:00:00.000Z#req-9',
  subject: 'gestor-7',
  role: 'gestor_casos',
  comuna: '13101',
  purpose: 'contacto_familia',
  outcome: 'granted',
  requestId: 'req-9',
};
const refused = {
  childId: CHILD,
  at: '2026-12-06T09:00:00.000Z#req-10',
  subject: 'regional-1',
  role: 'coordinador_regional',
  comuna: '13101',
  outcome: 'denied',
  reason: 'forbidden',
  requestId: 'req-10',
};

describe('GET /v1/access-log', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [granted, refused] });
  });

  it("answers one child's accesses, who read, when, why and with what outcome", async () => {
    const { status, body } = await call(event({ childId: CHILD, from: '2026-12-01', to: '2026-12-06' }));
    expect(status).toBe(200);
    expect(body).toEqual({
      entries: [
        { ...granted, at: '2026-12-05T14:00:00.000Z', reason: null, invalid: [] },
        { ...refused, at: '2026-12-06T09:00:00.000Z', purpose: null, invalid: [] },
      ],
      nextCursor: null,
    });
    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: 'access-log',
      KeyConditionExpression: 'childId = :key AND #at BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':key': CHILD, ':low': '2026-12-01', ':high': '2026-12-06T\uffff' },
    });
    expect(input?.IndexName).toBeUndefined();
  });

  it("reads one user's accesses through the subject index", async () => {
    await call(event({ subject: 'gestor-7' }));
    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      IndexName: 'bySubject',
      KeyConditionExpression: 'subject = :key AND #at BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':key': 'gestor-7' },
    });
  });

  it('pages with the cursor it gave, and refuses one it did not', async () => {
    ddb.on(QueryCommand).resolves({ Items: [granted], LastEvaluatedKey: { childId: CHILD, at: granted.at } });
    const first = await call(event({ childId: CHILD, limit: '1' }));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    await call(event({ childId: CHILD, cursor: first.body.nextCursor }));
    expect(ddb.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      childId: CHILD,
      at: granted.at,
    });
    const bad = await call(event({ childId: CHILD, cursor: 'no-es-un-cursor' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
    expect(bad.body.error.details).toEqual([
      { path: 'query.cursor', message: expect.stringContaining('cursor') },
    ]);
  });

  it('asks for exactly one of childId and subject, valid days in order, and never takes a RUN for a child', async () => {
    const queries: Record<string, string>[] = [
      {},
      { childId: CHILD, subject: 'x' },
      { childId: '12345678-5' },
      { subject: 'x', from: '2026-12-07', to: '2026-12-01' },
      { subject: 'x', from: '07-12-2026' },
    ];
    for (const query of queries) {
      const { status, body } = await call(event(query));
      expect(status).toBe(400);
      expect(body.error.code).toBe('validation_failed');
    }
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('is for the administrador central only', async () => {
    for (const role of [
      'coordinador',
      'gestor_casos',
      'terapeuta_familiar',
      'coordinador_regional',
      'sectorialista',
    ]) {
      const comunas = role === 'coordinador_regional' ? '*' : '13101';
      const { status, body } = await call(
        event({ childId: CHILD }, { 'custom:role': role, 'custom:comunas': comunas }),
      );
      expect(status).toBe(403);
      expect(body.error.message).toContain('solo administrador_central');
    }
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('bounds a day range so that every entry of the last day is in it', () => {
    const { low, high } = accessLogRange('2026-12-01', '2026-12-06');
    expect('2026-12-06T23:59:59.999Z#req' < high).toBe(true);
    expect('2026-12-07T00:00:00.000Z#req' < high).toBe(false);
    expect('2026-11-30T23:59:59.999Z#req' < low).toBe(true);
  });
});

describe('POST /v1/access-log/family-report', () => {
  const post = (body: unknown, claims: Record<string, string> = {}): Event => {
    const e = fixture<Event>('http-get-access-log.json');
    Object.assign(e.requestContext.authorizer.jwt.claims, claims);
    return {
      ...e,
      routeKey: 'POST /v1/access-log/family-report',
      rawPath: '/v1/access-log/family-report',
      queryStringParameters: {},
      headers: { ...e.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
  };
  const run = parseRun('22.222.222-2');
  if (!run.ok) throw new Error('test RUN');
  const childId = createPseudonymiser(KEY).child(run.run);

  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':key': childId } }).resolves({
      Items: [
        { ...granted, childId },
        { ...refused, childId },
      ],
    });
  });

  it("reports each child's requests under the pseudonym of its RUN, with the RUN masked, and a text for the family", async () => {
    const { status, body } = await call(post({ runs: ['22.222.222-2', '11.111.111-1'] }));
    expect(status).toBe(200);
    expect(body.children).toHaveLength(2);
    expect(body.children[0]).toMatchObject({
      position: 1,
      run: '**.***.222-2',
      childId,
      requests: 2,
      granted: 1,
    });
    expect(body.children[0].entries[0]).toMatchObject({
      role: 'gestor_casos',
      purposeLabel: 'contactar a la familia',
      outcomeLabel: 'se entregaron los datos',
    });
    expect(body.children[1]).toMatchObject({ position: 2, requests: 0 });
    expect(body.text).toContain('RUN **.***.222-2): 2 solicitud(es), 1 con entrega de datos');
    expect(JSON.stringify(body)).not.toContain('22.222.222');
  });

  it('names a bad RUN by its place, without repeating it, and refuses every other role', async () => {
    const bad = await call(post({ runs: ['22.222.222-2', '12.345.678-9'] }));
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([{ path: 'body.runs.1', message: expect.any(String) }]);
    expect(JSON.stringify(bad.body)).not.toContain('12.345.678');
    const coordinador = await call(
      post({ runs: ['22.222.222-2'] }, { 'custom:role': 'coordinador', 'custom:comunas': '13101' }),
    );
    expect(coordinador.status).toBe(403);
  });
});

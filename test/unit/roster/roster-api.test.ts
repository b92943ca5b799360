import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/roster/api/app';
import { listRosterRoute } from '../../../functions/roster/api/routes';
import { context, fixture } from '../fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const handler = createHandler({ AWS_REGION: 'us-east-1', ROSTER_TABLE: 'roster' });
type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const call = async (event: Event) => (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
const entry = (childId: string, probability: number, extra: Record<string, unknown> = {}) => ({
  comuna: '13101',
  childId,
  origin: 'predictivo',
  provisional: false,
  cut: '2026-10',
  probability,
  ventile: 20,
  reasons: [
    {
      feature: 'hogar_monoparental',
      text: 'Hogar monoparental',
      weight: 0.4,
      concerns: 'hogar',
      source: 'rsh',
      cut: '2026-10',
      window: 'ficha vigente',
    },
  ],
  ...extra,
});

const demotion = {
  rule: 'child-signal',
  text: 'Priorizado solo por datos del hogar: el modelo no lo pone en la cabeza de la nómina sin una señal propia del niño',
};

describe('GET /v1/comunas/{comuna}/roster', () => {
  beforeEach(() => {
    ddb.reset();
    ddb
      .on(GetCommand)
      .resolves({ Item: { comuna: '13101', childId: '#meta', currentCut: '2026-10', modelVersion: 'm-1' } });
  });

  it('lists alerted children first, then by score, with ranks and a cursor for the next page', async () => {
    const alert = {
      alertId: 'a-1',
      riskFactor: 'situacion_de_calle',
      urgent: true,
      state: 'sin gestionar',
      receivedAt: '2026-11-01T00:00:00Z',
      repeatAlertIds: ['a-2'],
    };
    ddb
      .on(QueryCommand, { IndexName: 'byAlert' })
      .resolves({ Items: [entry('n-alerted000000000000000', 0.1, { alerts: [alert] })] });
    ddb.on(QueryCommand, { IndexName: 'byScore' }).resolves({
      Items: [entry('n-top000000000000000000', 0.7, { demotion })],
      LastEvaluatedKey: { comuna: '13101', childId: 'n-top' },
    });
    const response = await call(fixture<Event>('http-get-roster.json'));
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body ?? '{}');
    expect(body.entries.map((e: { rank: number; childId: string }) => [e.rank, e.childId])).toEqual([
      [1, 'n-alerted000000000000000'],
      [2, 'n-top000000000000000000'],
    ]);
    expect(body.entries[0].alerts[0].repeatReports).toBe(1);
    // A child the model ranks after its head says why; one that it does not, says nothing.
    expect(body.entries[1].demotion).toEqual(demotion);
    expect(body.entries[0].demotion).toBeNull();
    // A risk factor carries its words for the OLN beside the code programs keep.
    expect(body.entries[0].alerts[0].riskFactor).toEqual({
      code: 'situacion_de_calle',
      label: 'Situación de calle',
    });
    // The answer is exactly what the route table documents.
    expect(listRosterRoute.responses[200].schema.safeParse(body).error?.issues ?? []).toEqual([]);
    // The comuna's CUT code is `code`: an entry's `cut` is the monthly cut it was scored from.
    expect(body.comuna).toEqual({ code: '13101', name: 'Santiago' });
    expect(body.currentCut).toBe('2026-10');
    const scoreQuery = ddb.commandCalls(QueryCommand, { IndexName: 'byScore' })[0]?.args[0].input;
    expect(scoreQuery?.FilterExpression).toContain('attribute_not_exists(alertKey)');
    expect(scoreQuery?.ExpressionAttributeValues?.[':cur']).toBe('2026-10');

    const next = fixture<Event>('http-get-roster.json');
    next.queryStringParameters = { limit: '2', cursor: body.nextCursor };
    ddb
      .on(QueryCommand, { IndexName: 'byScore' })
      .resolves({ Items: [entry('n-second0000000000000000', 0.6)] });
    const second = JSON.parse((await call(next)).body ?? '{}');
    expect(second.entries.map((e: { rank: number }) => e.rank)).toEqual([3]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses another comuna, a bad limit, a forged cursor and an unknown comuna', async () => {
    const other = fixture<Event>('http-get-roster.json');
    other.pathParameters = { comuna: '13110' };
    expect((await call(other)).statusCode).toBe(403);

    const badLimit = fixture<Event>('http-get-roster.json');
    badLimit.queryStringParameters = { limit: '100000' };
    const limitResponse = await call(badLimit);
    expect(limitResponse.statusCode).toBe(400);
    expect(JSON.parse(limitResponse.body ?? '{}').error.details[0].path).toBe('query.limit');
    const wordLimit = fixture<Event>('http-get-roster.json');
    wordLimit.queryStringParameters = { limit: 'abc' };
    expect(JSON.parse((await call(wordLimit)).body ?? '{}').error.details).toEqual([
      { path: 'query.limit', message: 'debe ser un número entero de 1 a 500' },
    ]);

    const forged = fixture<Event>('http-get-roster.json');
    forged.queryStringParameters = { cursor: 'bm90LWEtY3Vyc29y' };
    expect(JSON.parse((await call(forged)).body ?? '{}').error.code).toBe('invalid_cursor');

    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const key of [
      {},
      [1],
      { comuna: '13110', childId: 'n-x' },
      { comuna: '13101', childId: 'n-x', other: 1 },
    ]) {
      const wrongKey = fixture<Event>('http-get-roster.json');
      wrongKey.queryStringParameters = { cursor: b64({ store: b64({ phase: 'score', key }), rank: 3 }) };
      const answer = await call(wrongKey);
      expect(answer.statusCode, JSON.stringify(key)).toBe(400);
    }

    const unknown = fixture<Event>('http-get-roster.json');
    unknown.pathParameters = { comuna: '99999' };
    expect((await call(unknown)).statusCode).toBe(400);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('answers 404 for a child not on the roster', async () => {
    const event = fixture<Event>('http-get-roster.json');
    event.routeKey = 'GET /v1/comunas/{comuna}/roster/{childId}';
    event.pathParameters = { comuna: '13101', childId: 'n-abcdefghijklmnopqrstuv' };
    ddb.on(GetCommand, { Key: { comuna: '13101', childId: 'n-abcdefghijklmnopqrstuv' } }).resolves({});
    const response = await call(event);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body ?? '{}').error).toEqual({
      code: 'not_found',
      message: 'el niño n-abcdefghijklmnopqrstuv no está en la nómina de la comuna 13101',
    });
  });
});

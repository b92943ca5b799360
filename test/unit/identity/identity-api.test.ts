import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/identity/api/app';
import { identityIn, readIdentity } from '../../../functions/identity/domain/access';
import { context, fixture } from '../fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const handler = createHandler({
  AWS_REGION: 'us-east-1',
  ROSTER_TABLE: 'roster',
  IDENTITIES_TABLE: 'identities',
  ACCESS_LOG_TABLE: 'access-log',
  CASES_TABLE: 'cases',
});
type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const call = async (event: Event) => (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
const CHILD = 'n-child00000000000000000';
const identity = {
  childId: CHILD,
  run: '22222222-2',
  comuna: '13101',
  givenNames: 'Josefa',
  paternalSurname: 'Muñoz',
  address: 'Los Aromos 123',
  source: 'rsh',
  cut: '2026-10',
};
const event = (claims: Record<string, string> = {}, changes: Partial<Event> = {}): Event => {
  const e = fixture<Event>('http-get-identity.json');
  Object.assign(e.requestContext.authorizer.jwt.claims, claims);
  return { ...e, ...changes };
};
const logged = () => ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item as Record<string, string>);

describe('GET /v1/comunas/{comuna}/children/{childId}/identity', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand, { TableName: 'roster' }).resolves({ Item: { comuna: '13101', childId: CHILD } });
    // The registry's record, and a later health record with the RUN alone.
    ddb.on(QueryCommand, { TableName: 'identities' }).resolves({
      Items: [
        { childId: CHILD, run: '22222222-2', comuna: '13101', source: 'salud', cut: '2026-11' },
        identity,
      ],
    });
    ddb.on(PutCommand).resolves({});
  });

  it('answers the personal data to an OLN role of the comuna and logs the access first', async () => {
    const response = await call(event());
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body ?? '{}');
    expect(body).toMatchObject({
      childId: CHILD,
      comuna: { code: '13101', name: 'Santiago' },
      run: '22.222.222-2',
      givenNames: 'Josefa',
      paternalSurname: 'Muñoz',
      address: 'Los Aromos 123',
      source: 'rsh',
      purpose: 'contacto_familia',
    });
    expect(response.headers?.['cache-control']).toBe('no-store');
    expect(logged()).toEqual([
      expect.objectContaining({
        childId: CHILD,
        subject: 'user-2',
        role: 'coordinador',
        comuna: '13101',
        purpose: 'contacto_familia',
        outcome: 'granted',
        requestId: 'req-identity-1',
      }),
    ]);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).toBe(
      'attribute_not_exists(childId)',
    );
  });

  it('refuses roles without a family relationship, national roles and other comunas, and logs each refusal', async () => {
    const callers: Record<string, string>[] = [
      { 'custom:role': 'sectorialista' },
      { 'custom:role': 'gestor_comunitario' },
      { 'custom:role': 'administrador_central', 'custom:comunas': '*' },
      { 'custom:role': 'coordinador_regional', 'custom:comunas': '13101' },
      { 'custom:role': 'gestor_casos', 'custom:comunas': '13110' },
    ];
    for (const claims of callers) {
      const response = await call(event(claims));
      expect(response.statusCode, JSON.stringify(claims)).toBe(403);
      expect(response.body).not.toContain('Josefa');
    }
    expect(logged().map((e) => e.outcome)).toEqual(['denied', 'denied', 'denied', 'denied', 'denied']);
    expect(ddb.commandCalls(QueryCommand, { TableName: 'identities' })).toHaveLength(0);
  });

  it('answers 404 alike for a child off the roster and a child registered in another comuna', async () => {
    ddb.on(GetCommand, { TableName: 'roster' }).resolves({});
    const off = await call(event());
    ddb.on(GetCommand, { TableName: 'roster' }).resolves({ Item: { comuna: '13101', childId: CHILD } });
    ddb.on(QueryCommand, { TableName: 'identities' }).resolves({ Items: [{ ...identity, comuna: '13110' }] });
    const elsewhere = await call(event());
    expect([off.statusCode, elsewhere.statusCode]).toEqual([404, 404]);
    expect(JSON.parse(off.body ?? '{}').error.message).toBe(JSON.parse(elsewhere.body ?? '{}').error.message);
    // True of both, and of a provisional entry with no personal data: not "not on the roster".
    expect(JSON.parse(off.body ?? '{}').error.message).toContain('o no tiene datos personales registrados');
    expect(logged().map((e) => e.outcome)).toEqual(['not_found', 'not_found']);
  });

  it('answers 404 for a child an earlier scoring run left that the current one no longer has', async () => {
    const scored = { probability: 0.4, ventile: 18, scoreKey: `06000000#${CHILD}`, cut: '2026-10' };
    ddb.on(GetCommand, { TableName: 'roster', Key: { comuna: '13101', childId: CHILD } }).resolves({
      Item: { comuna: '13101', childId: CHILD, ...scored, runId: 'run-1', scoredAt: '2026-11-01T00:00:00Z' },
    });
    ddb.on(GetCommand, { TableName: 'roster', Key: { comuna: '13101', childId: '#meta' } }).resolves({
      Item: {
        comuna: '13101',
        childId: '#meta',
        currentCut: '2026-10',
        runId: 'run-2',
        scoredAt: '2026-11-20T00:00:00Z',
      },
    });
    const stale = await call(event());
    expect(stale.statusCode).toBe(404);
    expect(stale.body).not.toContain('Josefa');
    // The same entry scored by the current run is on the roster.
    ddb.on(GetCommand, { TableName: 'roster', Key: { comuna: '13101', childId: CHILD } }).resolves({
      Item: { comuna: '13101', childId: CHILD, ...scored, runId: 'run-2', scoredAt: '2026-11-20T00:00:00Z' },
    });
    expect((await call(event())).statusCode).toBe(200);
    expect(logged().map((e) => e.outcome)).toEqual(['not_found', 'granted']);
  });

  it('requires a stated purpose and a valid pseudonym, naming what is wrong', async () => {
    const noPurpose = await call(event({}, { queryStringParameters: {} }));
    expect(noPurpose.statusCode).toBe(400);
    expect(JSON.parse(noPurpose.body ?? '{}').error.details[0].path).toBe('query.purpose');
    const badChild = await call(event({}, { pathParameters: { comuna: '13101', childId: '22222222-2' } }));
    expect(badChild.statusCode).toBe(400);
    expect(JSON.parse(badChild.body ?? '{}').error.details[0].path).toBe('path.childId');
  });

  it('logs each request refused for bad input before answering, with only the values that were valid', async () => {
    const answers = [
      await call(event({}, { queryStringParameters: { purpose: 'curiosidad' } })),
      await call(event({}, { pathParameters: { comuna: '13101', childId: '22222222-2' } })),
      await call(event({}, { pathParameters: { comuna: '99999', childId: CHILD } })),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([400, 400, 400]);
    const entries = logged();
    expect(entries.map((e) => e.outcome)).toEqual(['invalid_request', 'invalid_request', 'invalid_request']);
    for (const e of entries) {
      expect(e).toMatchObject({ subject: 'user-2', role: 'coordinador', requestId: 'req-identity-1' });
    }
    expect(entries[0]).toMatchObject({ childId: CHILD, comuna: '13101', invalid: ['query.purpose'] });
    expect(entries[0]).not.toHaveProperty('purpose');
    // A RUN written where the pseudonym goes is not written to the log.
    expect(entries[1]).toMatchObject({
      comuna: '13101',
      purpose: 'contacto_familia',
      invalid: ['path.childId'],
    });
    expect(entries[1]?.childId).not.toContain('2222');
    expect(JSON.stringify(entries)).not.toContain('22222222');
    expect(entries[2]).toMatchObject({ childId: CHILD, invalid: ['path.comuna'] });
    expect(entries[2]).not.toHaveProperty('comuna');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('logs a refused token too: a role outside SAN and an OLN role claiming every comuna', async () => {
    const refused = [
      await call(event({ 'custom:role': 'visitante' })),
      await call(event({ 'custom:role': 'coordinador', 'custom:comunas': '*' })),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([403, 403]);
    expect(logged()).toEqual([
      expect.objectContaining({
        childId: CHILD,
        role: 'visitante',
        outcome: 'denied',
        reason: 'unknown_role',
      }),
      expect.objectContaining({
        childId: CHILD,
        role: 'coordinador',
        outcome: 'denied',
        reason: 'invalid_scope',
      }),
    ]);
  });

  it('answers nothing to a bad request whose refusal cannot be logged', async () => {
    ddb.on(PutCommand).rejects(new Error('throttled'));
    const response = await call(event({}, { queryStringParameters: { purpose: 'curiosidad' } }));
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '{}').error.code).toBe('internal_error');
  });

  it('returns nothing when the access cannot be logged', async () => {
    ddb.on(PutCommand).rejects(new Error('throttled'));
    const response = await call(event());
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('Josefa');
    expect(response.body).not.toContain('22.222.222');
  });
});

describe('readIdentity', () => {
  it('records the outcome after looking and before answering', async () => {
    const order: string[] = [];
    const answer = await readIdentity(
      {
        roster: {
          get: async () => {
            order.push('roster');
            return undefined;
          },
        },
        identities: {
          recordsOf: async () => {
            order.push('identity');
            return [];
          },
        },
        cases: {
          casesOfChild: async () => {
            order.push('cases');
            return [{ comuna: '13101', active: true, terapeuta: 's' }];
          },
        },
        log: { record: async (e) => void order.push(`log:${e.outcome}`) },
        now: () => new Date('2026-11-02T10:00:00Z'),
      },
      {
        principal: { subject: 's', role: 'terapeuta_familiar', comunas: ['13101'] },
        comuna: '13101',
        childId: CHILD,
        purpose: 'evaluacion_caso',
        requestId: 'r-1',
      },
    );
    expect(answer.outcome).toBe('not_found');
    expect(order).toEqual(['cases', 'roster', 'identity', 'log:not_found']);
  });
});

describe('identityIn', () => {
  const base = { childId: CHILD, run: '22222222-2', comuna: '13101' };

  it('takes names and address from the most trusted source that has them, whatever the order', () => {
    const records = [
      { ...base, source: 'alerta', givenNames: 'Josefina', cut: '2026-11' },
      { ...base, source: 'educacion', cut: '2026-11' },
      {
        ...base,
        source: 'proteccion',
        givenNames: 'Josefa Andrea',
        paternalSurname: 'Muñoz',
        cut: '2026-10',
      },
      {
        ...base,
        source: 'rsh',
        givenNames: 'Josefa',
        paternalSurname: 'Muñoz',
        maternalSurname: 'Soto',
        cut: '2026-10',
      },
    ];
    expect(identityIn(records, '13101')).toEqual({
      ...base,
      givenNames: 'Josefa',
      paternalSurname: 'Muñoz',
      maternalSurname: 'Soto',
      source: 'rsh',
      cut: '2026-10',
    });
    // Without the registry, protection's names; an address only where a record has one.
    const withoutRegistry = identityIn(
      [...records.slice(0, 3), { ...base, source: 'salud', address: 'Calle 1', cut: '2026-11' }],
      '13101',
    );
    expect(withoutRegistry).toMatchObject({
      givenNames: 'Josefa Andrea',
      address: 'Calle 1',
      source: 'proteccion',
    });
    expect(withoutRegistry).not.toHaveProperty('maternalSurname');
  });

  it('reads only the records filed under the comuna asked for', () => {
    const records = [
      { ...base, comuna: '13110', source: 'rsh', givenNames: 'Josefa', cut: '2026-10' },
      { ...base, source: 'salud', cut: '2026-10' },
    ];
    expect(identityIn(records, '13101')).toEqual({ ...base, source: 'salud', cut: '2026-10' });
    expect(identityIn(records, '05701')).toBeUndefined();
  });
});

describe('a gestor or terapeuta reads only the families of their own open cases', () => {
  const deps = (cases: { comuna: string; active: boolean; gestor?: string; terapeuta?: string }[]) => {
    const outcomes: string[] = [];
    return {
      outcomes,
      deps: {
        roster: {
          get: async () => ({
            comuna: '13101',
            childId: CHILD,
            origin: 'predictivo' as const,
            provisional: false,
          }),
        },
        identities: { recordsOf: async () => [identity] },
        cases: { casesOfChild: async () => cases },
        log: { record: async (e: { outcome: string }) => void outcomes.push(e.outcome) },
      },
    };
  };
  const ask = (role: 'gestor_casos' | 'terapeuta_familiar' | 'coordinador', subject = 'w-1') => ({
    principal: { subject, role, comunas: ['13101'] },
    comuna: '13101',
    childId: CHILD,
    purpose: 'contacto_familia' as const,
    requestId: 'r-1',
  });

  it.each([
    ['assigned gestor', [{ comuna: '13101', active: true, gestor: 'w-1' }], 'gestor_casos', 'granted'],
    [
      'assigned terapeuta',
      [{ comuna: '13101', active: true, terapeuta: 'w-1' }],
      'terapeuta_familiar',
      'granted',
    ],
    ['another gestor', [{ comuna: '13101', active: true, gestor: 'w-2' }], 'gestor_casos', 'denied'],
    ['a closed case', [{ comuna: '13101', active: false, gestor: 'w-1' }], 'gestor_casos', 'denied'],
    [
      'a case of another comuna',
      [{ comuna: '13110', active: true, gestor: 'w-1' }],
      'gestor_casos',
      'denied',
    ],
    [
      'the gestor as terapeuta',
      [{ comuna: '13101', active: true, gestor: 'w-1' }],
      'terapeuta_familiar',
      'denied',
    ],
    ['no case at all', [], 'gestor_casos', 'denied'],
    ['the coordinador, without a case', [], 'coordinador', 'granted'],
  ] as const)('%s: %s', async (_name, cases, role, outcome) => {
    const { deps: d, outcomes } = deps([...cases]);
    const answer = await readIdentity(d, ask(role));
    expect(answer.outcome).toBe(outcome);
    expect(outcomes).toEqual([outcome]);
  });
});

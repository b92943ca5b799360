import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/score/api/app';
import { getDriftRoute } from '../../../functions/score/api/routes';
import { driftReport, profileOf } from '../../../functions/score/domain/drift';
import { ObjectDriftStore } from '../../../functions/score/domain/drift-store';
import { context, fixture } from '../fixtures';
import { MemoryStore } from '../ingest/memory-ports';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const store = new MemoryStore();
const handler = createHandler({ AWS_REGION: 'us-east-1', CURATED_BUCKET: 'curated' }, { curated: store });
const call = async (event: Event) => (await handler(event, context)) as APIGatewayProxyStructuredResultV2;

function request(comuna: string, cut: string, role: string, comunas: string): Event {
  const event = fixture<Event>('http-get-roster.json');
  const routeKey = 'GET /v1/comunas/{comuna}/drift/{cut}';
  const path = `/v1/comunas/${comuna}/drift/${cut}`;
  return {
    ...event,
    routeKey,
    rawPath: path,
    rawQueryString: '',
    queryStringParameters: undefined,
    pathParameters: { comuna, cut },
    requestContext: {
      ...event.requestContext,
      routeKey,
      http: { ...event.requestContext.http, path },
      authorizer: {
        ...event.requestContext.authorizer,
        jwt: { claims: { sub: 'user-2', 'custom:role': role, 'custom:comunas': comunas }, scopes: [] },
      },
    },
  };
}

describe('GET /v1/comunas/{comuna}/drift/{cut}', () => {
  beforeAll(async () => {
    const values = (cut: string, shift: number) => ({
      comuna: '13101',
      cut,
      modelVersion: 'm-1',
      features: { edad: Array.from({ length: 100 }, (_, i) => i + shift) },
      probabilities: Array.from({ length: 100 }, (_, i) => i / 100),
    });
    const drift = new ObjectDriftStore(store);
    const first = values('2026-10', 0);
    await drift.write(profileOf(first), driftReport(first, undefined));
    const second = values('2026-11', 50);
    await drift.write(
      profileOf(second),
      driftReport(second, await drift.previousProfile('13101', '2026-11')),
    );
  });

  it("answers the comuna's coordinador the report, as the route table documents it", async () => {
    const response = await call(request('13101', '2026-11', 'coordinador', '13101'));
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body ?? '{}');
    expect(getDriftRoute.responses[200].schema.safeParse(body).error?.issues ?? []).toEqual([]);
    expect(body).toMatchObject({
      comuna: { code: '13101', name: 'Santiago' },
      previousCut: '2026-10',
      flagged: ['edad'],
      features: [{ feature: 'edad', bins: 'deciles', level: 'actuar' }],
    });
  });

  it('answers national roles with every comuna, and the first cut says it has no baseline', async () => {
    const response = await call(request('13101', '2026-10', 'administrador_central', '*'));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ previousCut: null, score: null });
    expect((await call(request('13101', '2026-11', 'coordinador_regional', '*'))).statusCode).toBe(200);
  });

  it('refuses another comuna and roles without the permission with 403', async () => {
    const other = await call(request('13101', '2026-11', 'coordinador', '13102'));
    expect(other.statusCode).toBe(403);
    expect(JSON.parse(other.body ?? '{}').error.code).toBe('forbidden');
    expect((await call(request('13101', '2026-11', 'gestor_casos', '13101'))).statusCode).toBe(403);
  });

  it('answers 404 for a cut not scored, and 400 for a malformed cut', async () => {
    const missing = await call(request('13101', '2026-12', 'coordinador', '13101'));
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body ?? '{}').error.message).toMatch(/no tiene un corte 2026-12 puntuado/);
    expect((await call(request('13101', '2026-13', 'coordinador', '13101'))).statusCode).toBe(400);
  });
});

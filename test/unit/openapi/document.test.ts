import { readFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { alertMessageSchema } from '../../../functions/alerts/domain/alert';
import { createHandler } from '../../../functions/openapi/api/app';
import { breakingChanges } from '../../../tools/openapi/breaking-changes';
import {
  DOCUMENT_PATH,
  documentText,
  MESSAGE_SCHEMA_PATH,
  messageSchemaText,
} from '../../../tools/openapi/main';
import { context } from '../fixtures';

const generated = JSON.parse(documentText()) as Record<string, unknown> & {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
};

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(generated) as never);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(generated.openapi).toBe('3.1.0');
    // The validator does refuse a broken one: an operation without responses, a path word undeclared.
    const broken = structuredClone(generated);
    delete (broken.paths['/v1/cuts/{cut}'] as Record<string, Record<string, unknown>>).get?.parameters;
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('is committed as generated (npm run openapi), and the committed one is not broken by it', () => {
    const committed = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')) as Record<string, unknown>;
    // Breaking changes first: they are what a reviewer must see.
    expect(breakingChanges(committed, generated)).toEqual([]);
    expect(readFileSync(DOCUMENT_PATH, 'utf8'), 'docs/openapi.json is stale: run npm run openapi').toBe(
      documentText(),
    );
  });

  it('has the alerts queue message schema committed as generated, accepting what the consumer accepts', () => {
    expect(
      readFileSync(MESSAGE_SCHEMA_PATH, 'utf8'),
      'docs/alert-message.schema.json is stale: run npm run openapi',
    ).toBe(messageSchemaText());
    const schema = JSON.parse(messageSchemaText());
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'alertId',
        'comuna',
        'riskFactor',
        'description',
        'urgent',
        'receivedAt',
        'reporter',
        'child',
      ]),
    );
    expect(Object.keys(schema.properties)).toEqual(Object.keys(alertMessageSchema.shape));
    expect(schema.additionalProperties).toBe(false);
  });

  it('describes these operations and statuses', () => {
    const operations = Object.entries(generated.paths).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, op]) => `${method.toUpperCase()} ${path} ${Object.keys(op.responses).join(' ')}`,
      ),
    );
    expect(operations).toMatchInlineSnapshot(`
      [
        "GET /v1/comunas/{comuna}/roster 200 400 401 403 500",
        "GET /v1/comunas/{comuna}/roster/{childId} 200 400 401 403 404 500",
        "GET /v1/comunas/{comuna}/children/{childId}/identity 200 400 401 403 404 500",
        "GET /v1/access-log 200 400 401 403 500",
        "POST /v1/access-log/family-report 200 400 401 403 415 422 500",
        "GET /v1/comunas/{comuna}/intake 200 400 401 403 500",
        "POST /v1/comunas/{comuna}/intake/{childId} 201 400 401 403 404 409 415 422 500",
        "GET /v1/comunas/{comuna}/intake-rates 200 400 401 403 500",
        "GET /v1/comunas/{comuna}/cases 200 400 401 403 500",
        "GET /v1/comunas/{comuna}/cases/{caseId} 200 400 401 403 404 500",
        "POST /v1/comunas/{comuna}/cases/{caseId}/transitions 200 400 401 403 404 409 412 415 422 428 500",
        "POST /v1/comunas/{comuna}/cases/{caseId}/assignments 200 400 401 403 404 409 412 415 422 428 500",
        "GET /v1/comunas/{comuna}/waiting-list 200 400 401 403 500",
        "POST /v1/comunas/{comuna}/cases/{caseId}/consents 200 400 401 403 404 409 412 415 422 428 500",
        "POST /v1/comunas/{comuna}/cases/{caseId}/consents/{consentId}/withdrawal 200 400 401 403 404 409 412 415 422 428 500",
        "PUT /v1/comunas/{comuna}/cases/{caseId}/ncfas/{kind} 200 400 401 403 404 409 412 415 422 428 500",
        "PUT /v1/comunas/{comuna}/cases/{caseId}/paf 200 400 401 403 404 409 412 415 422 428 500",
        "POST /v1/comunas/{comuna}/cases/{caseId}/sessions 200 400 401 403 404 409 412 415 422 428 500",
        "POST /v1/comunas/{comuna}/cases/{caseId}/agreements 200 400 401 403 404 409 412 415 422 428 500",
        "PATCH /v1/comunas/{comuna}/cases/{caseId}/agreements/{agreementId} 200 400 401 403 404 409 412 415 422 428 500",
        "POST /v1/comunas/{comuna}/cases/{caseId}/referrals 200 400 401 403 404 409 412 415 422 428 500",
        "PATCH /v1/comunas/{comuna}/cases/{caseId}/referrals/{referralId} 200 400 401 403 404 409 412 415 422 428 500",
        "GET /v1/comunas/{comuna}/agreements/overdue 200 400 401 403 500",
        "GET /v1/comunas/{comuna}/programs 200 400 401 403 500",
        "GET /v1/comunas/{comuna}/outcomes 200 400 401 403 500",
        "POST /v1/alerts 202 400 401 403 409 415 500",
        "GET /v1/alerts/{alertId} 200 400 401 403 404 500",
        "GET /v1/comunas/{comuna}/alerts 200 400 401 403 500",
        "POST /v1/alerts/{alertId}/transitions 200 400 401 403 404 409 412 415 422 428 500",
        "POST /v1/alerts/{alertId}/identification 200 400 401 403 404 409 412 415 422 428 500",
        "GET /v1/comunas/{comuna}/notifications 200 400 401 403 500",
        "GET /v1/quality/{cut} 200 400 401 403 500",
        "GET /v1/quality/{cut}/{source} 200 400 401 403 404 500",
        "GET /v1/comunas/{comuna}/drift/{cut} 200 400 401 403 404 500",
        "GET /v1/models 200 401 403 500",
        "POST /v1/models 200 400 401 403 404 409 415 500",
        "GET /v1/models/{version} 200 400 401 403 404 500",
        "POST /v1/models/{version}/shadow 200 400 401 403 404 409 415 500",
        "POST /v1/models/{version}/approve 200 400 401 403 404 409 415 500",
        "POST /v1/models/{version}/promote 200 400 401 403 404 409 415 500",
        "POST /v1/models/rollback 200 400 401 403 404 409 415 500",
        "GET /v1/comunas/{comuna}/shadow/{cut} 200 400 401 403 404 500",
        "GET /v1/cuts/{cut} 200 400 401 403 500",
        "GET /openapi.json 200",
      ]
    `);
  });

  it('is served by GET /openapi.json as generated, cacheable and without a token', async () => {
    const handler = createHandler({});
    const event = {
      version: '2.0',
      routeKey: 'GET /openapi.json',
      rawPath: '/openapi.json',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { requestId: 'r-1', http: { method: 'GET', path: '/openapi.json' } },
    };
    const result = (await handler(event as never, context)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('public, max-age=300');
    expect(JSON.parse(result.body)).toEqual(generated);
  });
});

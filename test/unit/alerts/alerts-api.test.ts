import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/alerts/api/app';
import type { StoredAlert } from '../../../functions/alerts/domain/alert';
import { context, fixture } from '../fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const handler = createHandler({
  AWS_REGION: 'us-east-1',
  ALERTS_TABLE: 'alerts',
  OPEN_ALERTS_TABLE: 'open-alerts',
  ROSTER_TABLE: 'roster',
  CASES_TABLE: 'cases',
  IDENTITIES_TABLE: 'identities',
  NOTIFICATIONS_TABLE: 'notifications',
});
type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const call = async (event: Event) => (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
const ALERT_ID = '0f8d2c1e-5b7a-4c3d-9e2f-1a2b3c4d5e6f';

/** Raised in Santiago by a sectorialista, for a child the data places in Concepción. */
const alert: StoredAlert = {
  alertId: ALERT_ID,
  childId: 'n-abcdefghijklmnopqrstuv',
  comuna: '08101',
  raisedInComuna: '13101',
  riskFactor: 'situacion_de_calle',
  description: 'Pernocta en la plaza desde hace una semana',
  urgent: true,
  receivedAt: '2026-11-20T10:00:00.000Z',
  reportedBy: { subject: 'sect-1', role: 'sectorialista', institution: 'CESFAM Santiago' },
  state: 'sin gestionar',
};
const as = (sub: string, role: string, comunas: string): Event => {
  const event = fixture<Event>('http-get-alert.json');
  event.requestContext.authorizer.jwt.claims = { sub, 'custom:role': role, 'custom:comunas': comunas };
  return event;
};
const body = (r: APIGatewayProxyStructuredResultV2) => JSON.parse(r.body ?? '{}');

describe('GET /v1/alerts/{alertId}', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand, { TableName: 'alerts', Key: { alertId: ALERT_ID } }).resolves({ Item: alert });
  });

  it('tells the comuna it was raised in where the alert went, without the report itself', async () => {
    const response = await call(as('coord-13101', 'coordinador', '13101'));
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({
      alertId: ALERT_ID,
      state: 'sin gestionar',
      comuna: { code: '08101', name: 'Concepción' },
      raisedInComuna: { code: '13101', name: 'Santiago' },
      receivedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(response.headers?.['cache-control']).toBe('no-store');
    const regional = await call(as('reg-13', 'coordinador_regional', '13101,13110'));
    expect(body(regional)).not.toHaveProperty('description');
  });

  it('shows the report to the roles of the handling comuna and to whoever reported it', async () => {
    for (const event of [
      as('coord-08101', 'coordinador', '08101'),
      as('sect-1', 'sectorialista', '13101'),
      as('admin', 'administrador_central', '*'),
    ]) {
      const response = await call(event);
      expect(response.statusCode).toBe(200);
      expect(body(response)).toMatchObject({
        comuna: { code: '08101' },
        raisedInComuna: { code: '13101' },
        childId: alert.childId,
        riskFactor: { code: 'situacion_de_calle', label: 'Situación de calle' },
        description: alert.description,
        reportedBy: { role: 'sectorialista', institution: 'CESFAM Santiago' },
      });
      expect(response.body).not.toContain('sect-1');
    }
  });

  it('answers 404 alike to an unknown alert and to a caller of neither comuna', async () => {
    const strangers = [
      as('sect-2', 'sectorialista', '13101'),
      as('coord-13110', 'coordinador', '13110'),
      as('gestor-05701', 'gestor_casos', '05701'),
    ];
    const refused = await Promise.all(strangers.map(call));
    ddb.on(GetCommand).resolves({});
    const unknown = await call(as('coord-13101', 'coordinador', '13101'));
    for (const r of [...refused, unknown]) {
      expect(r.statusCode).toBe(404);
      expect(body(r).error.code).toBe('not_found');
      expect(r.body).not.toContain('08101');
    }
    expect(new Set([...refused, unknown].map((r) => body(r).error.message)).size).toBe(1);
  });

  it('answers 400 in Spanish to an id that is not an alert id, without reading the table', async () => {
    const event = as('coord-13101', 'coordinador', '13101');
    event.pathParameters = { alertId: '12.345.678-5' };
    const response = await call(event);
    expect(response.statusCode).toBe(400);
    expect(body(response).error.details[0]).toEqual({
      path: 'path.alertId',
      message: 'debe ser el identificador de una alerta (un UUID)',
    });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('reads an alert stored before routing as handled where it was raised', async () => {
    const { raisedInComuna: _, ...legacy } = { ...alert, comuna: '13101' };
    ddb.on(GetCommand).resolves({ Item: legacy });
    const response = await call(as('coord-13101', 'coordinador', '13101'));
    expect(body(response)).toMatchObject({ comuna: { code: '13101' }, raisedInComuna: { code: '13101' } });
    expect(body(response).description).toBe(alert.description);
  });
});

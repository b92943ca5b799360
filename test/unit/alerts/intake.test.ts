import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { alertMessageSchema } from '../../../functions/alerts/domain/alert';
import { createHandler } from '../../../functions/alerts/intake/app';
import { chileDate } from '../../../functions/shared/domain/dates';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { context, fixture, keyFileSource } from '../fixtures';

const KEY = 'cd'.repeat(32);

const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);
const env = {
  AWS_REGION: 'us-east-1',
  ALERTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/alerts',
  IDEMPOTENCY_TABLE: 'idempotency',
  PSEUDONYM_KEY_SOURCE: keyFileSource(KEY),
};
const handler = createHandler(env);
type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const call = async (event: Event) => (await handler(event, context)) as APIGatewayProxyStructuredResultV2;

describe('POST /v1/alerts', () => {
  beforeEach(() => {
    sqs.reset();
    ddb.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    ddb.on(PutCommand).resolves({});
  });

  it('queues the alert in the message schema institutions write, and answers 202 with the child’s pseudonym', async () => {
    const response = await call(fixture<Event>('http-post-alert.json'));
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body ?? '{}');
    expect(body.state).toBe('sin gestionar');
    expect(body.childId).toBe(createPseudonymiser(KEY).child({ body: 12345678, dv: '5' }));
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe(env.ALERTS_QUEUE_URL);
    const message = alertMessageSchema.parse(JSON.parse(sent?.MessageBody ?? '{}'));
    expect(message.alertId).toBe(body.alertId);
    expect(message.urgent).toBe(true);
    // Who sent it comes from the token, never from the body.
    expect(message.reporter).toEqual({
      id: 'user-1',
      role: 'sectorialista',
      institution: 'Escuela Básica República de Chile',
    });
    expect(message.child).toMatchObject({ run: '12345678-5', givenNames: 'Sofía' });
    // The consumer keeps what was said of the child; intake writes nothing but the queue message.
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('queues an alert without RUN by names and birth date, answering the provisional child it is filed under', async () => {
    const event = fixture<Event>('http-post-alert.json');
    const original = JSON.parse(event.body ?? '{}');
    const { run: _run, ...rest } = original;
    event.body = JSON.stringify({
      ...rest,
      child: {
        givenNames: 'Sofía Antonia',
        paternalSurname: 'Muñoz',
        birthDate: '14-03-2015',
        address: 'Pasaje 3',
      },
    });
    const response = await call(event);
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body ?? '{}');
    expect(body.childId).toBe(createPseudonymiser(KEY).provisionalChild(body.alertId));
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    const message = alertMessageSchema.parse(JSON.parse(sent?.MessageBody ?? '{}'));
    expect(message.child).toEqual({
      givenNames: 'Sofía Antonia',
      paternalSurname: 'Muñoz',
      birthDate: '2015-03-14',
      address: 'Pasaje 3',
    });
  });

  it('refuses an alert without RUN that does not say enough to find the child', async () => {
    const event = fixture<Event>('http-post-alert.json');
    const { run: _run, ...rest } = JSON.parse(event.body ?? '{}');
    for (const child of [
      { givenNames: 'Sofía' },
      { givenNames: 'Sofía', paternalSurname: 'Muñoz' },
      { givenNames: 'Sofía', paternalSurname: 'Muñoz', birthDate: '2015-03-14', approximateAge: 11 },
      { givenNames: 'Sofía', paternalSurname: 'Muñoz', approximateAge: 19 },
    ]) {
      event.body = JSON.stringify({ ...rest, child });
      const response = await call(event);
      expect(response.statusCode, JSON.stringify(child)).toBe(400);
      expect(JSON.parse(response.body ?? '{}').error.details[0].path).toMatch(/^body\.child/);
    }
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('answers 403 to a sectorialista of another comuna, without queueing', async () => {
    const event = fixture<Event>('http-post-alert.json');
    event.requestContext.authorizer.jwt.claims['custom:comunas'] = '13110';
    const response = await call(event);
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body ?? '{}').error.code).toBe('forbidden');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('answers 401 without identity claims and 400 naming each bad field', async () => {
    const anonymous = fixture<Event>('http-post-alert.json');
    anonymous.requestContext.authorizer.jwt.claims = {};
    expect((await call(anonymous)).statusCode).toBe(401);

    const bad = fixture<Event>('http-post-alert.json');
    bad.body = JSON.stringify({
      run: '12.345.678-9',
      comuna: '13101',
      riskFactor: 'otro',
      description: 'x',
      reporter: {},
    });
    const response = await call(bad);
    expect(response.statusCode).toBe(400);
    const paths = JSON.parse(response.body ?? '{}').error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(['body.run', 'body.riskFactor', 'body.description', 'body.reporter.institution']);
    expect(response.body).not.toContain('12345678');
    // The RUN's problem never says which check digit was expected; every message is in Spanish.
    const details = JSON.parse(response.body ?? '{}').error.details as { path: string; message: string }[];
    expect(details[0]?.message).toBe('RUN inválido: formato o dígito verificador incorrecto');
    expect(details[3]?.message).toBe('Entrada inválida: se esperaba texto, recibido indefinido');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('refuses an observation date in the future, and takes today in Chile', async () => {
    const future = fixture<Event>('http-post-alert.json');
    const body = JSON.parse(future.body ?? '{}');
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    future.body = JSON.stringify({ ...body, observedAt: tomorrow });
    const refused = await call(future);
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body ?? '{}').error.details).toEqual([
      {
        path: 'body.observedAt',
        message: 'no puede ser una fecha futura: es cuándo se observó lo que se reporta',
      },
    ]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);

    const today = fixture<Event>('http-post-alert.json');
    today.body = JSON.stringify({ ...body, observedAt: chileDate(new Date()) });
    expect((await call(today)).statusCode).toBe(202);
  });

  it('refuses a RUN written in the description, and never quotes the body in a JSON error', async () => {
    const withRun = fixture<Event>('http-post-alert.json');
    withRun.body = (withRun.body ?? '').replace(
      'Se observan lesiones',
      'El niño 12.345.678-5 presenta lesiones',
    );
    const refused = await call(withRun);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('no escriba RUN en la descripción');
    expect(refused.body).not.toContain('12.345.678-5');

    const broken = fixture<Event>('http-post-alert.json');
    broken.body = '{"run":"12345678-5","child":{"givenNames":Ana Pérez}}';
    const answer = await call(broken);
    expect(answer.statusCode).toBe(400);
    expect(answer.body).not.toContain('Ana');
    expect(answer.body).not.toContain('12345678');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('refuses unknown keys inside nested objects, naming the path of each key', async () => {
    const event = fixture<Event>('http-post-alert.json');
    const body = JSON.parse(event.body ?? '{}');
    event.body = JSON.stringify({
      ...body,
      extra: 1,
      reporter: { ...body.reporter, foo: 'x' },
      child: { ...body.child, bar: 'y' },
    });
    const response = await call(event);
    expect(response.statusCode).toBe(400);
    const paths = JSON.parse(response.body ?? '{}').error.details.map((d: { path: string }) => d.path);
    expect(paths.sort()).toEqual(['body.child.bar', 'body.extra', 'body.reporter.foo']);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('answers 415 to a body that is not declared as JSON, and takes JSON with a charset', async () => {
    for (const headers of [{ 'content-type': 'text/plain' }, {}, { 'content-type': 'application/xml' }]) {
      const event = { ...fixture<Event>('http-post-alert.json'), headers };
      const response = await call(event);
      expect(response.statusCode, JSON.stringify(headers)).toBe(415);
      const error = JSON.parse(response.body ?? '{}').error;
      expect(Object.keys(error).sort()).toEqual(['code', 'message']);
      expect(error.code).toBe('unsupported_media_type');
      expect(error.message).toContain('application/json');
    }
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    for (const type of ['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
      const event = { ...fixture<Event>('http-post-alert.json'), headers: { 'content-type': type } };
      expect((await call(event)).statusCode, type).toBe(202);
    }
  });

  it('queues a description with characters outside the BMP as ASCII-safe JSON that reads back the same', async () => {
    const event = fixture<Event>('http-post-alert.json');
    const description = 'Niño triste 😢 junto a la señal 🚸, dice «ayuda» — sin adulto\u2028cerca';
    event.body = JSON.stringify({ ...JSON.parse(event.body ?? '{}'), description });
    const response = await call(event);
    expect(response.statusCode).toBe(202);
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '';
    expect(sent).toMatch(/^[\x20-\x7e]+$/);
    expect(alertMessageSchema.parse(JSON.parse(sent)).description).toBe(description);
  });

  it('answers 500 with only a request id when the queue fails, never a stack trace', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('queue unavailable at 10.0.0.7'));
    const response = await call(fixture<Event>('http-post-alert.json'));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('10.0.0.7');
    expect(JSON.parse(response.body ?? '{}').error).toEqual({
      code: 'internal_error',
      message: 'error interno',
      requestId: 'req-test',
    });
  });
});

describe('environment', () => {
  it('refuses to start without its queue, naming the variable', () => {
    expect(() => createHandler({ ...env, ALERTS_QUEUE_URL: undefined })).toThrow(/ALERTS_QUEUE_URL/);
  });
});

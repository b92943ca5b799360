import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/alerts/consumer/app';
import type { AlertMessage, StoredAlert } from '../../../functions/alerts/domain/alert';
import { findRepeatedAlert } from '../../../functions/alerts/domain/alert';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { context, keyFileSource } from '../fixtures';

const KEY = 'cd'.repeat(32);
const ddb = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:notifications';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/000000000000/alerts-dlq';
const sqs = mockClient(SQSClient);
const handler = createHandler({
  AWS_REGION: 'us-east-1',
  ALERTS_TABLE: 'alerts',
  OPEN_ALERTS_TABLE: 'open-alerts',
  ROSTER_TABLE: 'roster',
  NOTIFICATIONS_TABLE: 'notifications',
  NOTIFICATIONS_TOPIC_ARN: TOPIC,
  ALERTS_DLQ_URL: DLQ,
  ALERTS_MAX_RECEIVES: '3',
  IDENTITIES_TABLE: 'identities',
  PSEUDONYM_KEY_SOURCE: keyFileSource(KEY),
});
const CHILD = createPseudonymiser(KEY).child({ body: 12345678, dv: '5' });

const message = (alertId: string, extra: Partial<AlertMessage> = {}): AlertMessage => ({
  alertId,
  comuna: '13101',
  riskFactor: 'situacion_de_calle',
  description: 'pernocta en la plaza',
  urgent: true,
  receivedAt: '2026-11-20T10:00:00.000Z',
  reporter: { id: 's', role: 'sectorialista', institution: 'CESFAM' },
  child: { run: '12.345.678-5' },
  ...extra,
});
/** The alert as stored, for a test that puts one in the table. */
const storedOf = (m: AlertMessage, extra: Partial<StoredAlert> = {}): StoredAlert => ({
  alertId: m.alertId,
  childId: CHILD,
  comuna: m.comuna,
  raisedInComuna: m.comuna,
  riskFactor: m.riskFactor,
  description: m.description,
  urgent: m.urgent,
  receivedAt: m.receivedAt,
  reportedBy: { subject: m.reporter.id, role: m.reporter.role, institution: m.reporter.institution },
  state: 'sin gestionar',
  ...extra,
});
const record = (id: string, body: string): SQSRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:alerts',
  awsRegion: 'us-east-1',
});

describe('alert consumer', () => {
  beforeEach(() => {
    ddb.reset();
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(PutCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
  });

  it('sets poison messages aside in the dead-letter queue with the reason, and processes the rest', async () => {
    const good = '11111111-1111-4111-8111-111111111111';
    const event: SQSEvent = {
      Records: [
        record('m-1', JSON.stringify(message(good))),
        record('m-2', '{not json'),
        record('m-3', JSON.stringify({ alertId: 'x' })),
      ],
    };
    const response = (await handler(event, context)) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ comuna: '13101', childId: CHILD });
    expect(update?.ExpressionAttributeValues?.[':ak']).toBe('0#2026-11-20T10:00:00.000Z');
    expect(update?.ConditionExpression).toBe('attribute_not_exists(childId)');
    const setAside = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(setAside.map((m) => [m.QueueUrl, m.MessageBody])).toEqual([
      [DLQ, '{not json'],
      [DLQ, JSON.stringify({ alertId: 'x' })],
    ]);
    expect(setAside[0]?.MessageAttributes?.reason?.StringValue).toBe('the body is not JSON');
    expect(setAside[1]?.MessageAttributes?.reason?.StringValue).toMatch(/^the body is not an alert: /);
    expect(setAside[1]?.MessageAttributes?.sourceQueue?.StringValue).toBe('alerts');
  });

  it('keeps a poison message on its queue when the dead-letter queue cannot take it', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('throttled'));
    const response = (await handler({ Records: [record('m-2', '{not json')] }, context)) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-2' }]);
  });

  it('retries a failing message, and sets it aside with the error on its last allowed receive', async () => {
    ddb.on(QueryCommand, { TableName: 'alerts' }).rejects(new Error('table unavailable'));
    const body = JSON.stringify(message('99999999-9999-4999-8999-999999999999'));
    const first = (await handler({ Records: [record('m-1', body)] }, context)) as SQSBatchResponse;
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    const last = record('m-1', body);
    const final = (await handler(
      { Records: [{ ...last, attributes: { ...last.attributes, ApproximateReceiveCount: '3' } }] },
      context,
    )) as SQSBatchResponse;
    expect(final.batchItemFailures).toEqual([]);
    const aside = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(aside?.MessageBody).toBe(body);
    expect(aside?.MessageAttributes?.reason?.StringValue).toContain('table unavailable');
    expect(aside?.MessageAttributes?.receiveCount?.StringValue).toBe('3');
  });

  it('records an alert where the child is on the roster, keeping the comuna it was raised in', async () => {
    ddb.on(QueryCommand, { TableName: 'roster', IndexName: 'byChild' }).resolves({
      Items: [{ comuna: '08101', childId: CHILD, provisional: false, cut: '2026-10' }],
    });
    const id = '33333333-3333-4333-8333-333333333333';
    const response = (await handler(
      { Records: [record('m-1', JSON.stringify(message(id)))] },
      context,
    )) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    const stored = ddb.commandCalls(PutCommand, { TableName: 'alerts' })[0]?.args[0].input.Item;
    expect(stored).toMatchObject({ alertId: id, comuna: '08101', raisedInComuna: '13101' });
    const updates = ddb.commandCalls(UpdateCommand, { TableName: 'roster' }).map((c) => c.args[0].input.Key);
    expect(updates).toEqual([{ comuna: '08101', childId: CHILD }]);
  });

  it('puts a child on no roster as a provisional entry of the comuna the alert was raised in', async () => {
    const id = '44444444-4444-4444-8444-444444444444';
    await handler({ Records: [record('m-1', JSON.stringify(message(id)))] }, context);
    const stored = ddb.commandCalls(PutCommand, { TableName: 'alerts' })[0]?.args[0].input.Item;
    expect(stored).toMatchObject({ comuna: '13101', raisedInComuna: '13101' });
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.Key?.comuna).toBe('13101');
  });

  it('records a repeat report with the open alert it repeats, in that alert’s comuna', async () => {
    const original = storedOf(message('55555555-5555-4555-8555-555555555555'), {
      comuna: '08101',
      raisedInComuna: '08101',
      receivedAt: '2026-11-19T10:00:00.000Z',
    });
    ddb.on(QueryCommand, { TableName: 'alerts', IndexName: 'byChild' }).resolves({ Items: [original] });
    ddb.on(GetCommand, { TableName: 'roster' }).resolves({
      Item: {
        comuna: '08101',
        childId: original.childId,
        alerts: [{ alertId: original.alertId, repeatAlertIds: [] }],
        alertVersion: 1,
      },
    });
    const id = '66666666-6666-4666-8666-666666666666';
    await handler({ Records: [record('m-1', JSON.stringify(message(id)))] }, context);
    const stored = ddb.commandCalls(PutCommand, { TableName: 'alerts' })[0]?.args[0].input.Item;
    expect(stored).toMatchObject({ comuna: '08101', raisedInComuna: '13101', repeatOf: original.alertId });
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.Key?.comuna).toBe('08101');
  });

  it('retries the roster update when another writer changed the entry first', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'changed', $metadata: {} }))
      .resolves({});
    const event: SQSEvent = {
      Records: [record('m-1', JSON.stringify(message('22222222-2222-4222-8222-222222222222')))],
    };
    const response = (await handler(event, context)) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(UpdateCommand, { TableName: 'roster' })).toHaveLength(2);
  });

  it('notifies an urgent alert to the coordinador of the comuna that handles it, once', async () => {
    const id = '77777777-7777-4777-8777-777777777777';
    await handler({ Records: [record('m-1', JSON.stringify(message(id)))] }, context);
    const stored = ddb.commandCalls(PutCommand, { TableName: 'alerts' })[0]?.args[0].input.Item;
    expect(stored).toMatchObject({ awaitingAck: 'urgente' });
    const kept = ddb.commandCalls(PutCommand, { TableName: 'notifications' })[0]?.args[0].input.Item;
    expect(kept).toMatchObject({
      noticeId: `alerta_urgente:${id}`,
      audience: 'coordinador',
      published: false,
    });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]?.TopicArn).toBe(TOPIC);
    expect(published[0]?.MessageAttributes).toMatchObject({
      comuna: { StringValue: '13101' },
      region: { StringValue: '13' },
      audience: { StringValue: 'coordinador' },
      kind: { StringValue: 'alerta_urgente' },
    });
    // The notice names the child by pseudonym only.
    expect(JSON.parse(published[0]?.Message ?? '{}').text).toContain(CHILD);
    expect(ddb.commandCalls(UpdateCommand, { TableName: 'notifications' })).toHaveLength(1);

    // Redelivered after its notice went out: nothing is sent again.
    ddb
      .on(PutCommand, { TableName: 'notifications' })
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    ddb.on(GetCommand, { TableName: 'notifications' }).resolves({ Item: { published: true } });
    await handler({ Records: [record('m-2', JSON.stringify(message(id)))] }, context);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('files a report as a repeat when another consumer filed the same child and risk factor a moment before', async () => {
    // Two batches at once: neither sees the other's alert in the child's alerts (an index read).
    const first = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
    const second = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
    ddb
      .on(PutCommand, { TableName: 'open-alerts' })
      .resolvesOnce({})
      .rejects(new ConditionalCheckFailedException({ message: 'held', $metadata: {} }));
    ddb.on(GetCommand, { TableName: 'open-alerts' }).resolves({ Item: { alertId: first } });
    ddb.on(GetCommand, { TableName: 'alerts', Key: { alertId: first } }).resolves({
      Item: { ...storedOf(message(first)), version: 1 },
    });
    await handler({ Records: [record('m-1', JSON.stringify(message(first)))] }, context);
    await handler({ Records: [record('m-2', JSON.stringify(message(second)))] }, context);
    const writes = ddb.commandCalls(PutCommand, { TableName: 'alerts' }).map((c) => c.args[0].input);
    const last = writes.filter((w) => w.Item?.alertId === second).at(-1);
    expect(last?.Item).toMatchObject({ repeatOf: first, version: 2 });
    expect(last?.Item).not.toHaveProperty('awaitingAck');
    expect(last?.ConditionExpression).toContain('version = :read');
    // One urgent notice: the repeat is not a second alert.
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('files an alert without RUN under a provisional child, looking for no alerts or entries of it', async () => {
    const id = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
    const named = message(id, {
      urgent: false,
      child: {
        givenNames: 'Josefa',
        paternalSurname: 'Pérez',
        birthDate: '2014-05-02',
        address: 'Los Aromos 1',
      },
    });
    await handler({ Records: [record('m-1', JSON.stringify(named))] }, context);
    const provisional = createPseudonymiser(KEY).provisionalChild(id);
    const lookup = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(lookup.map((q) => [q.TableName, q.IndexName])).toEqual([['identities', 'byMatchBlock']]);
    expect(lookup[0]?.ExpressionAttributeValues).toEqual({
      ':b': '13101#peres',
      ':from': '2014-05-02',
      ':to': '2014-05-02',
    });
    const said = ddb.commandCalls(PutCommand, { TableName: 'identities' })[0]?.args[0].input.Item;
    expect(said).toMatchObject({ childId: provisional, source: 'alerta', matchBlock: '13101#peres' });
    expect(said).not.toHaveProperty('run');
    const stored = ddb.commandCalls(PutCommand, { TableName: 'alerts' })[0]?.args[0].input.Item;
    expect(stored).toMatchObject({
      childId: provisional,
      awaitingIdentity: 'provisional',
      identification: { method: 'provisional', provisionalChildId: provisional },
    });
    // Nothing of the child's names reaches the alert.
    expect(JSON.stringify(stored)).not.toMatch(/Josefa|Pérez|Aromos/);

    // Redelivered: the alert is found by its id and the child is not looked for again.
    ddb.resetHistory();
    ddb
      .on(GetCommand, { TableName: 'alerts', Key: { alertId: id } })
      .resolves({ Item: { ...stored, version: 1 } });
    await handler({ Records: [record('m-2', JSON.stringify(named))] }, context);
    expect(ddb.commandCalls(QueryCommand, { TableName: 'identities' })).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand, { TableName: 'alerts' })).toHaveLength(0);
  });

  it('notifies no one of an alert that is not urgent', async () => {
    const id = '88888888-8888-4888-8888-888888888888';
    await handler({ Records: [record('m-1', JSON.stringify(message(id, { urgent: false })))] }, context);
    expect(ddb.commandCalls(PutCommand, { TableName: 'alerts' })[0]?.args[0].input.Item).not.toHaveProperty(
      'awaitingAck',
    );
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

describe('findRepeatedAlert', () => {
  const open = (alertId: string, extra: Partial<StoredAlert> = {}): StoredAlert =>
    storedOf(message(alertId), extra);
  it('matches an open alert of the same child and risk factor, oldest first, never a closed one', () => {
    const incoming = message('new', { receivedAt: '2026-11-21T00:00:00.000Z' });
    expect(findRepeatedAlert([open('a', { state: 'resuelta' })], incoming)).toBeUndefined();
    expect(findRepeatedAlert([open('a', { riskFactor: 'embarazo_adolescente' })], incoming)).toBeUndefined();
    const found = findRepeatedAlert(
      [
        open('b', { receivedAt: '2026-11-19T00:00:00.000Z' }),
        open('a', { receivedAt: '2026-11-18T00:00:00.000Z' }),
      ],
      incoming,
    );
    expect(found?.alertId).toBe('a');
  });
});

describe('alert consumer, two reports of one child in one batch', () => {
  beforeEach(() => {
    ddb.reset();
    // The alerts table as it fills: a report reads the child's alerts stored so far.
    const stored: Record<string, unknown>[] = [];
    ddb
      .on(QueryCommand, { TableName: 'alerts' })
      .callsFake(async (input: { ExpressionAttributeValues: Record<string, unknown> }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { Items: stored.filter((a) => a.childId === input.ExpressionAttributeValues[':c']) };
      });
    ddb.on(QueryCommand, { TableName: 'roster' }).resolves({ Items: [] });
    ddb
      .on(PutCommand, { TableName: 'alerts' })
      .callsFake(async (input: { Item: Record<string, unknown> }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        stored.push(input.Item);
        return {};
      });
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
  });

  it('files one new alert and one repeat of it, and runs other children alongside', async () => {
    const first = '77777777-7777-4777-8777-777777777777';
    const second = '88888888-8888-4888-8888-888888888888';
    const other = '99999999-9999-4999-8999-999999999999';
    const event: SQSEvent = {
      Records: [
        record('m-1', JSON.stringify(message(first))),
        record('m-2', JSON.stringify(message(second, { receivedAt: '2026-11-20T10:00:01.000Z' }))),
        record('m-3', JSON.stringify(message(other, { child: { run: '11.111.111-1' } }))),
      ],
    };
    const response = (await handler(event, context)) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    const filed = ddb
      .commandCalls(PutCommand, { TableName: 'alerts' })
      .map((c) => c.args[0].input.Item as StoredAlert);
    expect(filed.map((a) => [a.alertId, a.repeatOf])).toEqual([
      [first, undefined],
      [other, undefined],
      [second, first],
    ]);
  });
});

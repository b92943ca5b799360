/**
 * The alerts queue on the local stand-ins: the consumer reads SQS batches through Powertools' batch
 * parser, two reports of one child in a batch become one alert and its repeat, and a message that
 * is not an alert ends in the dead-letter queue after its receives without stopping the others.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../functions/alerts/domain/alert';
import { toMessageBody } from '../../functions/shared/adapters/sqs-message';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';

let local: LocalSystem;

beforeAll(async () => {
  local = await startLocalSystem({
    dataDir: await mkdtemp(join(tmpdir(), 'san-aq-')),
    port: 0,
    reset: true,
    retryDelaySeconds: 0,
  });
});
afterAll(async () => {
  await local?.stop();
});

const childId = 'n-AAAAbbbbCCCCddddEEEEff';
const message = (alertId: string, receivedAt: string): AlertMessage => ({
  alertId,
  childId,
  comuna: '13101',
  riskFactor: 'situacion_de_calle',
  description: 'Pernocta en la plaza 😢',
  urgent: false,
  receivedAt,
  reportedBy: { subject: 's', role: 'sectorialista', institution: 'CESFAM' },
});

describe('alerts queue', () => {
  it('files two reports of one child in one batch as an alert and its repeat; a poison message goes to the DLQ', async () => {
    const first = '7a1c2e3f-0000-4000-8000-000000000001';
    const second = '7a1c2e3f-0000-4000-8000-000000000002';
    await local.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: local.names.queues.alerts.url,
        Entries: [
          { Id: '1', MessageBody: toMessageBody(message(first, '2026-11-20T10:00:00.000Z')) },
          { Id: '2', MessageBody: toMessageBody(message(second, '2026-11-20T10:00:05.000Z')) },
          { Id: '3', MessageBody: '{"not":"an alert"}' },
        ],
      }),
    );
    await local.whenIdle();
    const out = await local.clients.dynamodb.send(
      new QueryCommand({
        TableName: local.names.tables.alerts,
        IndexName: 'byChild',
        KeyConditionExpression: 'childId = :c',
        ExpressionAttributeValues: { ':c': { S: childId } },
      }),
    );
    const filed = (out.Items ?? [])
      .map((i) => [i.alertId?.S, i.repeatOf?.S, i.description?.S])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(filed).toEqual([
      [first, undefined, 'Pernocta en la plaza 😢'],
      [second, first, 'Pernocta en la plaza 😢'],
    ]);
    const dlq = await local.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: local.names.queues.alerts.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Number(dlq.Attributes?.ApproximateNumberOfMessages)).toBe(1);
  });
});

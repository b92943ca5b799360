/**
 * The alerts queue on the local stand-ins, written straight by an institution's system in the
 * message schema: the consumer reads SQS batches through Powertools' batch parser, pseudonymises
 * the child and keeps what was said of it in the identity store, two reports of one child in a batch become one alert and its repeat, and a message that
 * is not an alert is set aside in the dead-letter queue with the reason, without stopping the others;
 * `npm run san -- redrive alerts` counts the dead letters by reason and moves them back.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../functions/alerts/domain/alert';
import { toMessageBody } from '../../functions/shared/adapters/sqs-message';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';

let local: LocalSystem;
let dataDir: string;
let childId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'san-aq-'));
  local = await startLocalSystem({
    dataDir,
    port: 0,
    reset: true,
    retryDelaySeconds: 0,
  });
});
afterAll(async () => {
  await local?.stop();
});
beforeAll(async () => {
  const keyed = createPseudonymiser((await readFile(join(dataDir, 'pseudonym.key'), 'utf8')).trim());
  childId = keyed.child({ body: 12_345_678, dv: '5' });
});

/** The message as an institution's system writes it straight to the queue. */
const message = (alertId: string, receivedAt: string): AlertMessage => ({
  alertId,
  comuna: '13101',
  riskFactor: 'situacion_de_calle',
  description: 'Pernocta en la plaza 😢',
  urgent: false,
  receivedAt,
  reporter: { id: 'sistema-cesfam-centro', role: 'sectorialista', institution: 'CESFAM Centro' },
  child: { run: '12.345.678-5', givenNames: 'Tomás', paternalSurname: 'Reyes', address: 'Pasaje Uno 12' },
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
    // Only the pseudonym goes further: the alerts hold no RUN or name; the identity store holds
    // what the institution said of the child, and who sent it is on the alert.
    expect(JSON.stringify(out.Items)).not.toMatch(/12\.?345\.?678|Tomás|Pasaje/);
    expect(out.Items?.[0]?.reportedBy?.M?.subject?.S).toBe('sistema-cesfam-centro');
    const said = await local.clients.dynamodb.send(
      new GetItemCommand({
        TableName: local.names.tables.identities,
        Key: { childId: { S: childId }, source: { S: 'alerta' } },
      }),
    );
    expect(said.Item?.run?.S).toBe('12345678-5');
    expect(said.Item?.givenNames?.S).toBe('Tomás');
    const dlq = await local.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: local.names.queues.alerts.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Number(dlq.Attributes?.ApproximateNumberOfMessages)).toBe(1);
    const aside = await local.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: local.names.queues.alerts.dlqUrl,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 0,
      }),
    );
    expect(aside.Messages?.[0]?.Body).toBe('{"not":"an alert"}');
    expect(aside.Messages?.[0]?.MessageAttributes?.reason?.StringValue).toMatch(
      /^the body is not an alert: /,
    );
    expect(aside.Messages?.[0]?.MessageAttributes?.sourceQueue?.StringValue).toBe('san-alerts');
  });

  it('files an alert delivered twice once, with one summary on the nómina', async () => {
    const twice = '7a1c2e3f-0000-4000-8000-000000000009';
    const body = toMessageBody({
      ...message(twice, '2026-11-22T10:00:00.000Z'),
      riskFactor: 'embarazo_adolescente',
    });
    await local.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: local.names.queues.alerts.url,
        Entries: [{ Id: '1', MessageBody: body }],
      }),
    );
    await local.whenIdle();
    // The institution's system sends it again (its own retry, or SQS's at-least-once delivery).
    await local.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: local.names.queues.alerts.url,
        Entries: [{ Id: '1', MessageBody: body }],
      }),
    );
    await local.whenIdle();
    const filed = await local.clients.dynamodb.send(
      new QueryCommand({
        TableName: local.names.tables.alerts,
        IndexName: 'byChild',
        KeyConditionExpression: 'childId = :c',
        FilterExpression: 'riskFactor = :f',
        ExpressionAttributeValues: { ':c': { S: childId }, ':f': { S: 'embarazo_adolescente' } },
      }),
    );
    expect((filed.Items ?? []).map((i) => [i.alertId?.S, i.version?.N])).toEqual([[twice, '1']]);
    const entry = await local.clients.dynamodb.send(
      new GetItemCommand({
        TableName: local.names.tables.roster,
        Key: { comuna: { S: '13101' }, childId: { S: childId } },
      }),
    );
    const summaries = (entry.Item?.alerts?.L ?? []).filter((a) => a.M?.alertId?.S === twice);
    expect(summaries).toHaveLength(1);
  });

  it('redrives the dead letters to their queue through the CLI, after counting them by reason', async () => {
    // A message that was set aside, once its cause is fixed: here, one filed by hand into the DLQ.
    const fixed = toMessageBody(message('7a1c2e3f-0000-4000-8000-000000000003', '2026-11-21T10:00:00.000Z'));
    await local.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: local.names.queues.alerts.dlqUrl,
        Entries: [
          {
            Id: '1',
            MessageBody: fixed,
            MessageAttributes: { reason: { DataType: 'String', StringValue: 'TableUnavailable: throttled' } },
          },
        ],
      }),
    );
    const dry = await san('redrive', 'alerts', '--endpoint', local.endpoints.sqs, '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('2 mensaje(s) en la cola de mensajes fallidos de alerts');
    expect(dry.stdout).toMatch(/1 {2}TableUnavailable: throttled/);
    expect(dry.stdout).toContain('sin mover nada');
    const moved = await san('redrive', 'alerts', '--endpoint', local.endpoints.sqs);
    expect(moved.status).toBe(0);
    expect(moved.stdout).toContain('devueltos 2 mensaje(s) a alerts');
    await local.whenIdle();
    // The fixed alert is filed; the poison one is set aside again, with its reason.
    const filed = await local.clients.dynamodb.send(
      new GetItemCommand({
        TableName: local.names.tables.alerts,
        Key: { alertId: { S: '7a1c2e3f-0000-4000-8000-000000000003' } },
      }),
    );
    expect(filed.Item?.state?.S).toBe('sin gestionar');
    const again = await san('redrive', 'alerts', '--endpoint', local.endpoints.sqs, '--dry-run');
    expect(again.stdout).toContain('1 mensaje(s)');
    expect(again.stdout).toContain('the body is not an alert');

    expect((await san('redrive', 'nope', '--endpoint', local.endpoints.sqs)).stderr).toContain(
      'cola desconocida',
    );
    expect((await san('redrive', 'alerts')).stderr).toContain('indique --endpoint');
  });
});

/** The CLI in a child process, awaited (the stand-ins answer from this process's event loop). */
function san(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'tools/cli/main.ts', ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      },
      (error, stdout, stderr) => resolve({ status: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

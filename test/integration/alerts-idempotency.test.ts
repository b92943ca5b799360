/**
 * `Idempotency-Key` on `POST /v1/alerts` through the local HTTP gateway, with the idempotency table
 * the local runtime creates from the system definition on dynalite: a retry answers the first 202
 * and files nothing new, another body under the key is refused, and keys are scoped per caller.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../local/auth';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';
import { fetchChecked } from './api-contract';

let local: LocalSystem;

beforeAll(async () => {
  local = await startLocalSystem({
    dataDir: await mkdtemp(join(tmpdir(), 'san-idem-')),
    port: 0,
    reset: true,
    retryDelaySeconds: 0,
  });
});
afterAll(async () => {
  await local?.stop();
});

const alert = {
  run: '9.999.999-3',
  comuna: '13101',
  riskFactor: 'situacion_de_calle',
  description: 'Adolescente pernoctando en la vía pública',
  urgent: false,
  reporter: { institution: 'Municipalidad' },
};
const tokenOf = (subject: string): string =>
  signToken(local.jwtKey, { sub: subject, 'custom:role': 'sectorialista', 'custom:comunas': '13101' });
const post = async (key: string | undefined, body: unknown, subject = 'sect-1') => {
  const response = await fetchChecked(`${local.apiUrl}/v1/alerts`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${tokenOf(subject)}`,
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    replayed: response.headers.get('idempotent-replayed'),
    body: response.body as Record<string, unknown> & { error?: { code: string } },
  };
};
const alertsOf = async (childId: string): Promise<number> => {
  const out = await local.clients.dynamodb.send(
    new QueryCommand({
      TableName: local.names.tables.alerts,
      IndexName: 'byChild',
      KeyConditionExpression: 'childId = :c',
      ExpressionAttributeValues: { ':c': { S: childId } },
    }),
  );
  return out.Count ?? 0;
};

describe('POST /v1/alerts with Idempotency-Key', () => {
  it('answers a retry with the same 202 and files one alert; another body under the key is 409', async () => {
    const key = '0b6a1f0e-7c44-4f0a-9a55-3b1d2f9c8e10';
    const first = await post(key, alert);
    const retry = await post(key, alert);
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.replayed).toBe('true');
    const other = await post(key, { ...alert, urgent: true });
    expect(other.status).toBe(409);
    expect(other.body.error?.code).toBe('idempotency_key_reused');
    await local.whenIdle();
    expect(await alertsOf(String(first.body.childId))).toBe(1);
    const records = await local.clients.dynamodb.send(
      new ScanCommand({ TableName: local.names.tables.idempotency }),
    );
    expect(records.Items?.map((i) => i.status?.S)).toEqual(['COMPLETED']);
    // Hashed keys only: neither the caller, the key nor the RUN is written in the clear.
    expect(JSON.stringify(records.Items)).not.toMatch(/sect-1|0b6a1f0e|9999999/);
  });

  it('scopes a key per caller, and refuses a malformed one with 400', async () => {
    const key = 'shared-key-2026-12-02';
    const child = { ...alert, run: '11.111.111-1' };
    const a = await post(key, child, 'sect-a');
    const b = await post(key, child, 'sect-b');
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.alertId).not.toBe(b.body.alertId);
    const bad = await post('no vale', child);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('invalid_idempotency_key');
    await local.whenIdle();
    expect(await alertsOf(String(a.body.childId))).toBe(2);
  });
});

/**
 * A burst of alerts through the local system, as the territory sends them on a bad day: 5,000 alerts
 * from 20 concurrent clients, some of them retried by the client under the same Idempotency-Key.
 * None is lost and none is filed twice: every accepted alert is in the alerts table once, and on the
 * nómina of the comuna that handles it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDigit } from '../../functions/shared/domain/run';
import { signToken } from '../../local/auth';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';

const ALERTS = 5_000;
const CLIENTS = 20;
const COMUNAS = ['13101', '13110', '13301', '08101'];
let local: LocalSystem;

beforeAll(async () => {
  local = await startLocalSystem({
    dataDir: await mkdtemp(join(tmpdir(), 'san-burst-')),
    port: 0,
    reset: true,
    retryDelaySeconds: 0,
    log: () => {},
  });
});
afterAll(async () => {
  await local?.stop();
});

async function scanAll(table: string): Promise<Record<string, { S?: string }>[]> {
  const items: Record<string, { S?: string }>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const out = await local.clients.dynamodb.send(
      new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...((out.Items ?? []) as Record<string, { S?: string }>[]));
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return items;
}

describe('a burst of alerts', () => {
  it(`loses none and files none twice: ${ALERTS} alerts from ${CLIENTS} clients, some retried`, async () => {
    const token = signToken(local.jwtKey, {
      sub: 'sect-burst',
      'custom:role': 'sectorialista',
      'custom:comunas': COMUNAS.join(','),
    });
    const accepted = new Map<number, { alertId: string; childId: string; comuna: string }>();
    const failures: string[] = [];
    let retried = 0;
    let next = 0;
    const post = (n: number, key?: string) =>
      fetch(`${local.apiUrl}/v1/alerts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: JSON.stringify({
          run: `${30_000_000 + n}-${checkDigit(30_000_000 + n)}`,
          comuna: COMUNAS[n % COMUNAS.length],
          riskFactor: n % 2 === 0 ? 'trayectoria_escolar_interrumpida' : 'negligencia_o_violencia',
          description: `Reporte número ${n} del establecimiento`,
          urgent: n % 100 === 0,
          reporter: { institution: 'Liceo de prueba' },
        }),
      });
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let n = next++; n < ALERTS; n = next++) {
          // Every tenth request is one a client retries after a timeout, under its key.
          const key = n % 10 === 0 ? `burst-${n}-0000` : undefined;
          const first = await post(n, key);
          const body = (await first.json()) as { alertId: string; childId: string };
          if (first.status !== 202) {
            failures.push(`${n}: ${first.status}`);
            continue;
          }
          if (key) {
            const again = await post(n, key);
            const replay = (await again.json()) as { alertId: string };
            retried++;
            if (again.status !== 202 || replay.alertId !== body.alertId)
              failures.push(`${n}: retry answered another alert`);
          }
          accepted.set(n, { ...body, comuna: COMUNAS[n % COMUNAS.length] as string });
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(accepted.size).toBe(ALERTS);
    expect(retried).toBe(ALERTS / 10);
    await local.whenIdle(600_000);

    const filed = await scanAll(local.names.tables.alerts);
    const ids = filed.map((i) => i.alertId?.S);
    expect(filed).toHaveLength(ALERTS);
    expect(new Set(ids).size).toBe(ALERTS);
    expect(new Set(ids)).toEqual(new Set([...accepted.values()].map((a) => a.alertId)));

    // Each on the nómina of its comuna, once.
    const roster = await scanAll(local.names.tables.roster);
    const onRoster = new Map<string, string[]>();
    for (const item of roster) {
      const alerts =
        (item.alerts as unknown as { L?: { M: { alertId: { S: string } } }[] } | undefined)?.L ?? [];
      for (const a of alerts) {
        const key = `${item.comuna?.S}/${item.childId?.S}`;
        onRoster.set(key, [...(onRoster.get(key) ?? []), a.M.alertId.S]);
      }
    }
    for (const a of accepted.values()) expect(onRoster.get(`${a.comuna}/${a.childId}`)).toEqual([a.alertId]);
    expect([...onRoster.values()].flat()).toHaveLength(ALERTS);
  });
});

/**
 * A parent's prison stay reaches the child wherever the parent is registered: the prison service
 * files an adult under the adult's comuna, so a comuna's scoring reads every comuna's prison
 * records (and, for every other source, only its own comuna's), through the real S3 stand-in.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3CuratedReader } from '../../functions/score/adapters/s3-curated-reader';
import { groupByChild } from '../../functions/score/domain/indicators';
import { curatedKeys } from '../../functions/shared/domain/curated';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';
import { rshRecord } from '../unit/score/score-fixtures';

let local: LocalSystem;
const CUT = '2026-10';
const CHILD = 'n-childchildchildchildc';
const NEIGHBOUR = 'n-neighbourneighbourneig';
const FATHER = 'n-fatherfatherfatherfath';

beforeAll(async () => {
  local = await startLocalSystem({
    dataDir: await mkdtemp(join(tmpdir(), 'san-prison-')),
    port: 0,
    reset: true,
    retryDelaySeconds: 0,
  });
});
afterAll(async () => {
  await local?.stop();
});

/** Writes one source's curated run: its records by comuna, and `_SUCCESS.json` naming the run. */
async function promote(source: string, byComuna: Record<string, readonly Record<string, unknown>[]>) {
  const runId = `run-${source}`;
  const put = (key: string, body: string) =>
    local.clients.s3.send(
      new PutObjectCommand({ Bucket: local.names.buckets.curated, Key: key, Body: body }),
    );
  for (const [comuna, records] of Object.entries(byComuna)) {
    const lines = records.map((r) => JSON.stringify({ source, cut: CUT, comuna, ...r })).join('\n');
    await put(curatedKeys.part(CUT, source, runId, comuna, 0, 0), `${lines}\n`);
  }
  await put(curatedKeys.success(CUT, source), JSON.stringify({ runId, report: {} }));
}

describe('a parent in prison registered in another comuna', () => {
  it('reaches the child through its filiation, while other sources stay in their comuna', async () => {
    await promote('rsh', {
      '13101': [rshRecord(CHILD)],
      '08101': [rshRecord(NEIGHBOUR, { comuna: '08101' })],
    });
    await promote('registro_civil', {
      '13101': [{ childId: CHILD, birthDate: '2014-01-01', fatherId: FATHER }],
    });
    // The father lives (and is filed) in Concepción; the child in Santiago.
    await promote('privacion_libertad', {
      '08101': [{ childId: FATHER, admissionDate: '2026-03-02' }],
    });
    await promote('educacion', {
      '08101': [
        { childId: NEIGHBOUR, month: '2026-09', attendancePct: 50, repeating: false, withdrawn: false },
      ],
    });

    const reader = new S3CuratedReader(local.clients.s3, local.names.buckets.curated);
    const records = await reader.records(CUT, '13101');
    expect(records.rsh.map((r) => r.childId)).toEqual([CHILD]);
    expect(records.educacion).toEqual([]);
    const child = groupByChild(records).get(CHILD);
    expect(child?.parentsCustody?.map((c) => [c.childId, c.admissionDate])).toEqual([[FATHER, '2026-03-02']]);
  });
});

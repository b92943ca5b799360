/** Identities of an ingest run are written only once the run is accepted, and before it is promoted. */

import { describe, expect, it } from 'vitest';
import { planRun } from '../../../../functions/ingest/domain/run/plan';
import { publishPart } from '../../../../functions/ingest/domain/run/publish';
import { childOf, HEADER, harness, row } from './harness';

describe('identities of an ingest run', () => {
  const bodies = Array.from({ length: 40 }, (_, i) => 22_000_000 + i * 53);
  const text = `${[HEADER, ...bodies.map((b) => row(b, 40, 'URBANA'))].join('\n')}\n`;
  const sizes = { chunkBytes: 1024, reduceBytes: 2048 };
  const rawReport = (deps: ReturnType<typeof harness>['deps']): Record<string, unknown> =>
    JSON.parse(deps.raw.objects.get('extracts/2026-10/rsh.csv.report.json')?.toString('utf8') ?? '{}');
  const promoted = (deps: ReturnType<typeof harness>['deps']): boolean =>
    deps.curated.objects.has('cut=2026-10/source=rsh/_SUCCESS.json');

  it('are written once the run is accepted, before it is promoted', async () => {
    const { deps, writes, upload, drain, scoreRequests } = harness(sizes);
    const plan = await planRun(deps, upload('rsh.csv', text));
    if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
    expect(plan.buckets).toBeGreaterThan(1);

    const report = await drain();

    expect(new Set(writes.map((w) => w.identity.childId))).toEqual(new Set(bodies.map(childOf)));
    expect(writes).toHaveLength(40);
    // Every identity went out after finalize accepted the run and before anything was promoted.
    expect(new Set(writes.map((w) => w.runStatus))).toEqual(new Set(['publishing']));
    expect(writes.some((w) => w.promoted)).toBe(false);
    expect(report).toMatchObject({ status: 'accepted', accepted: 40, identities: { written: 40 } });
    // One part per bucket at this size, each published once.
    expect(await deps.runs.get(plan.runId)).toMatchObject({
      status: 'done',
      publishTotal: plan.buckets,
      partsPublished: plan.buckets,
    });
    expect(promoted(deps)).toBe(true);
    expect(rawReport(deps)).toMatchObject({
      status: 'accepted',
      identities: { written: 40, olderThanStored: 0 },
    });
    expect(scoreRequests).toEqual([[{ cut: '2026-10', comuna: '13101' }]]);
  });

  it('keep every comuna of the official list, and send to scoring only the comunas with an OLN office', async () => {
    const { deps, upload, drain, scoreRequests } = harness(sizes);
    // Puente Alto (13201) has no office in the configuration; 99999 is no comuna at all.
    const mixed = bodies.map((b, i) => {
      const line = row(b, 40, 'URBANA');
      return i % 4 === 1
        ? line.replace(';13101;', ';13201;')
        : i % 4 === 2
          ? line.replace(';13101;', ';99999;')
          : line;
    });
    await planRun(deps, upload('rsh.csv', `${[HEADER, ...mixed].join('\n')}\n`));
    const report = await drain();
    expect(report).toMatchObject({
      accepted: 30,
      rejected: 10,
      acceptedByComuna: { '13101': 20, '13201': 10 },
    });
    expect(JSON.stringify(report?.rejectionsByReason)).toContain('no está en la lista oficial de comunas');
    expect(scoreRequests).toEqual([[{ cut: '2026-10', comuna: '13101' }]]);
  });

  it('are never written for a run refused for its manifest', async () => {
    const { deps, writes, upload, drain } = harness(sizes);
    deps.raw.objects.set(
      'extracts/2026-10/manifest.json',
      Buffer.from(
        JSON.stringify({
          cut: '2026-10',
          files: [{ name: 'rsh.csv', source: 'rsh', rows: 41, bytes: text.length, sha256: 'a'.repeat(64) }],
        }),
      ),
    );
    // Refused at planning, before any task runs: nothing of it is written.
    await planRun(deps, upload('rsh.csv', text, false));
    await drain();

    expect(rawReport(deps)).toMatchObject({ status: 'rejected', error: { problem: 'manifest-mismatch' } });
    expect(writes).toEqual([]);
    expect(promoted(deps)).toBe(false);
  });

  it('are never written for a run whose processing failed', async () => {
    const { deps, writes, upload, drain } = harness(sizes);
    const plan = await planRun(deps, upload('rsh.csv', text));
    if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);

    // The last reduce task keeps failing after the others have finished.
    await drain({ failing: (t) => t.type === 'reduce' && t.bucket === plan.buckets - 1 });

    expect(rawReport(deps)).toMatchObject({ status: 'rejected', error: { problem: 'processing-failed' } });
    expect(writes).toEqual([]);
    expect(promoted(deps)).toBe(false);
  });

  it('that fail to be published end the run unpromoted, and uploading it again finishes it', async () => {
    const { deps, writes, upload, drain } = harness(sizes);
    const key = upload('rsh.csv', text);
    const first = await planRun(deps, key);
    if (first.status !== 'planned') throw new Error(`not planned: ${first.status}`);

    const failed = await drain({ failing: (t) => t.type === 'publish' && t.bucket === 1 && t.part === 0 });

    expect(failed).toMatchObject({ status: 'rejected', error: { problem: 'processing-failed' } });
    expect(failed?.error?.message).toMatch(/aceptado.*vuelva a subirlo/);
    expect(await deps.runs.get(first.runId)).toMatchObject({ status: 'rejected' });
    expect(promoted(deps)).toBe(false);
    expect(writes.length).toBeLessThan(40);

    const second = await planRun(deps, key);
    expect(second).toMatchObject({ status: 'planned', runId: `${first.runId}-r2` });
    expect(await drain()).toMatchObject({ status: 'accepted', identities: { written: 40 } });
    expect(new Set(writes.map((w) => w.identity.childId)).size).toBe(40);
    expect(
      JSON.parse(deps.curated.objects.get('cut=2026-10/source=rsh/_SUCCESS.json')?.toString() ?? '{}'),
    ).toMatchObject({ runId: `${first.runId}-r2` });
  });

  it('are counted once and promoted once when every task is delivered twice', async () => {
    const { deps, writes, upload, drain, scoreRequests } = harness(sizes);
    const plan = await planRun(deps, upload('rsh.csv', text));
    if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);

    const report = await drain({ twice: true });

    expect(report).toMatchObject({
      status: 'accepted',
      rowsRead: 40,
      accepted: 40,
      identities: { written: 40 },
    });
    expect(new Set(writes.map((w) => w.identity.childId)).size).toBe(40);
    expect(writes.every((w) => w.runStatus === 'publishing' && !w.promoted)).toBe(true);
    expect(scoreRequests).toHaveLength(1);
    // A publish task arriving after promotion writes nothing.
    const before = writes.length;
    expect(await publishPart(deps, plan.runId, 0, 0)).toEqual({ status: 'skipped' });
    expect(writes).toHaveLength(before);
  });

  it('of a large bucket are published in parts, a task each, and the run is promoted after the last', async () => {
    const { deps, writes, upload, drain } = harness({
      chunkBytes: 4 * 1024 ** 2,
      reduceBytes: 64 * 1024 ** 2,
    });
    const address = `Pasaje ${'Los Aromos '.repeat(14)}`.slice(0, 150);
    const many = Array.from({ length: 35_000 }, (_, i) => 23_000_000 + i * 7);
    const big = `${[`${HEADER};DIRECCION`, ...many.map((b) => `${row(b, 40, 'URBANA')};${address}`)].join('\n')}\n`;
    const plan = await planRun(deps, upload('rsh.csv', big));
    if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
    expect(plan.buckets).toBe(1);

    const report = await drain();

    const run = await deps.runs.get(plan.runId);
    expect(run?.publishTotal).toBeGreaterThan(1);
    expect(run).toMatchObject({ status: 'done', partsPublished: run?.publishTotal });
    expect(report).toMatchObject({ status: 'accepted', accepted: 35_000, identities: { written: 35_000 } });
    expect(new Set(writes.map((w) => w.identity.childId)).size).toBe(35_000);
    expect(writes.every((w) => w.runStatus === 'publishing' && !w.promoted)).toBe(true);
  });
});

/** The planner reads only files the cut's manifest vouches for, and compares them with it. */

import { describe, expect, it } from 'vitest';
import type { IngestReport } from '../../../../functions/ingest/domain/report';
import { planRun } from '../../../../functions/ingest/domain/run/plan';
import { manifestOf } from '../../fixtures';
import { HEADER, harness, row } from './harness';

describe('the manifest is the contract of a cut', () => {
  const text = `${HEADER}\n${row(23_000_001, 40, 'URBANA')}\n${row(23_000_002, 40, 'URBANA')}\n`;
  const planned = async (
    manifest: unknown,
  ): Promise<{ report: IngestReport | undefined; status: string; identities: readonly unknown[] }> => {
    const { deps, upload, identities } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    const key = upload('rsh.csv', text, false);
    if (manifest !== undefined)
      deps.raw.objects.set('extracts/2026-10/manifest.json', Buffer.from(JSON.stringify(manifest)));
    const plan = await planRun(deps, key);
    const stored = deps.raw.objects.get(`${key}.report.json`);
    return {
      status: plan.status,
      report: stored ? (JSON.parse(stored.toString('utf8')) as IngestReport) : undefined,
      identities,
    };
  };
  const honest = manifestOf('2026-10', [{ name: 'rsh.csv', bytes: Buffer.from(text) }]);

  it('refuses a file whose cut has no manifest, saying so', async () => {
    const out = await planned(undefined);
    expect(out.status).toBe('rejected');
    expect(out.report?.error?.problem).toBe('manifest-missing');
    expect(out.report?.manifest).toMatchObject({ declared: false, checked: [] });
  });

  it.each<[string, unknown, string]>([
    ['of another cut', { ...honest, cut: '2026-09' }, 'corte 2026-09'],
    [
      'with another source for the file',
      { ...honest, files: [{ ...honest.files[0], source: 'salud' }] },
      'salud',
    ],
    ['with another row count', { ...honest, files: [{ ...honest.files[0], rows: 7 }] }, 'filas'],
    [
      'with another SHA-256',
      { ...honest, files: [{ ...honest.files[0], sha256: 'a'.repeat(64) }] },
      'SHA-256',
    ],
    ['that is not a manifest', { cut: '2026-10' }, 'no es válido'],
  ])('refuses a file against a manifest %s, before any task runs', async (_name, manifest, words) => {
    const out = await planned(manifest);
    expect(out.status).toBe('rejected');
    expect(out.report?.error?.message).toContain(words);
    expect(out.identities).toHaveLength(0);
  });

  it('counts the rows it read in a mismatch report', async () => {
    const out = await planned({ ...honest, files: [{ ...honest.files[0], rows: 7 }] });
    expect(out.report).toMatchObject({ rowsRead: 2, accepted: 0, rejected: 2 });
    expect(out.report?.manifest?.checked).toEqual(['corte', 'fuente', 'bytes', 'sha256', 'filas']);
  });

  it('says in an accepted report what it checked', async () => {
    const { deps, upload, drain } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    await planRun(deps, upload('rsh.csv', text));
    const report = await drain();
    expect(report?.status).toBe('accepted');
    expect(report?.manifest).toMatchObject({
      declared: true,
      problems: [],
      checked: ['corte', 'fuente', 'bytes', 'sha256', 'filas'],
    });
  });
});

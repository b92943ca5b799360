/** A file with malformed records is still answered row by row by the planner and the chunk tasks. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { planRun } from '../../../../functions/ingest/domain/run/plan';
import { HEADER, harness, row } from './harness';

describe('a file that cannot be read whole is still answered, row by row', () => {
  const good = (i: number): string => row(22_000_000 + i * 13, 40, 'URBANA');
  /** A registry file with one row of each structural defect among good rows. */
  function defective(): { text: Buffer; badLines: number[]; goodRows: number } {
    const lines = [HEADER];
    for (let i = 0; i < 30; i++) lines.push(good(i));
    lines.push(`${good(100).replace('Ana María', 'Ana "la Mari" María')}`); // stray quote
    lines.push(good(101).replace('Soto', 'So\u0000to')); // NUL byte
    lines.push(good(102).replace('Ana María', 'A'.repeat(5000))); // a field over the limit
    lines.push(`"${good(103)}`); // a quote never closed
    for (let i = 30; i < 60; i++) lines.push(good(i));
    return { text: Buffer.from(`${lines.join('\n')}\n`), badLines: [32, 33, 34, 35], goodRows: 60 };
  }

  it.each([256, 1024, 1 << 20])(
    'quarantines each malformed row with its line and accepts the rest (chunks of %i bytes)',
    async (chunkBytes) => {
      const { deps, upload, drain, identities } = harness({ chunkBytes, reduceBytes: 4096 });
      const { text, badLines, goodRows } = defective();
      const plan = await planRun(deps, upload('rsh.csv', text));
      expect(plan.status).toBe('planned');
      const report = await drain();
      expect(report).toMatchObject({
        status: 'accepted',
        rowsRead: goodRows + 4,
        accepted: goodRows,
        rejected: 4,
        quarantinedForStructure: 3,
        fieldsTooLong: 1,
      });
      const quarantined = [...deps.raw.objects.entries()]
        .filter(([k]) => k.includes('.rejected/'))
        .flatMap(([, b]) => b.toString('utf8').trim().split('\n'))
        .map((l) => JSON.parse(l) as { line: number; reason: string });
      expect(quarantined.map((q) => q.line).sort((a, b) => a - b)).toEqual(badLines);
      expect(quarantined.find((q) => q.line === 34)?.reason).toContain('5000 caracteres');
      expect(identities).toHaveLength(goodRows);
    },
  );

  it('leaves a line over the record limit out of every chunk, holding none of it', async () => {
    const { deps, upload, drain } = harness({ chunkBytes: 512, reduceBytes: 4096 });
    const readOptions = { maxFieldChars: 4096, maxDecompressedBytes: 1 << 30, maxRecordBytes: 4096 };
    const long = 'x'.repeat(3 << 20);
    const text = gzipSync(Buffer.from(`${HEADER}\n${good(1)}\n${long}\n${good(2)}\n${good(3)}\n`));
    const plan = await planRun({ ...deps, readOptions }, upload('rsh.csv.gz', text));
    expect(plan.status, JSON.stringify(plan).slice(0, 600)).toBe('planned');
    const stored = [...deps.work.objects.entries()].filter(([k]) => k.includes('/chunks/'));
    expect(stored.reduce((n, [, b]) => n + b.length, 0)).toBeLessThan(4096);
    const report = await drain();
    expect(report).toMatchObject({ status: 'accepted', rowsRead: 4, accepted: 3, rejected: 1 });
    expect(report?.quarantinedForStructure).toBe(1);
  });

  it('refuses a file most of whose records are malformed, with a report', async () => {
    const { deps, upload } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    const lines = [HEADER, ...Array.from({ length: 40 }, (_, i) => `x"${i}`), good(1)];
    const plan = await planRun(deps, upload('rsh.csv', `${lines.join('\n')}\n`));
    expect(plan).toMatchObject({ status: 'rejected', report: { error: { problem: 'too-many-malformed' } } });
    expect(deps.raw.objects.has('extracts/2026-10/rsh.csv.report.json')).toBe(true);
  });

  it('reads a UTF-8 file with one Latin-1 line in both encodings, and names the line', async () => {
    const { deps, upload, drain, identities } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    const utf8 = Buffer.from(`${HEADER}\n${good(1).replace('Ana María', 'María José')}\n`, 'utf8');
    const latin1 = Buffer.from(`${good(2).replace('Soto', 'Muñoz')}\n`, 'latin1');
    await planRun(deps, upload('rsh.csv', Buffer.concat([utf8, latin1])));
    const report = await drain();
    expect(report?.encoding).toEqual({ detected: 'utf-8', linesInOtherEncoding: 1, lines: [3] });
    expect(report?.layout?.encoding).toBe('utf-8');
    const names = identities.map((i) => `${i.givenNames}`).sort();
    expect(names).toEqual(['Ana María', 'María José']);
    expect(JSON.stringify(identities)).toContain('Muñoz');
    expect(JSON.stringify(identities)).not.toContain('Ã');
  });
});

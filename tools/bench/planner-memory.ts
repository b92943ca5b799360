/**
 * `npm run bench:planner-memory`: the ingest planner's peak memory on hostile gzip uploads, against
 * a plain streaming decompression of the same file (the floor any reader of it pays). Each runs in
 * a fresh process. Cases: a decompression bomb (a small gzip holding one line of several GiB among
 * good rows) and a file of one long quoted field that never closes. The planner must answer both
 * with a plan (the long records quarantined) and stay within a chunk plus one record of the floor.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import { generateCut } from '../generate/generator';
import { parseFlags, runMain } from '../lib/cli-args';
import { manifestPath } from './file-stores';

const measured = z.object({ maxRssMb: z.number(), seconds: z.number() }).passthrough();

/** Writes header, `good` rows, `prefix` and `fillerBytes` of `filler`, and the rows again, gzipped. */
async function writeCase(
  file: string,
  rows: readonly string[],
  header: string,
  prefix: string,
  filler: Buffer,
  fillerBytes: number,
): Promise<{ sha256: string; bytes: number }> {
  async function* content(): AsyncGenerator<Buffer> {
    yield Buffer.from(`${header}\n${rows.join('\n')}\n${prefix}`, 'latin1');
    for (let left = fillerBytes; left > 0; left -= filler.length)
      yield left >= filler.length ? filler : filler.subarray(0, left);
    yield Buffer.from(`\n${rows.join('\n')}\n`, 'latin1');
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const gzip = createGzip({ level: 1 });
  gzip.on('data', (b: Buffer) => {
    hash.update(b);
    bytes += b.length;
  });
  await pipeline(Readable.from(content()), gzip, createWriteStream(file));
  return { sha256: hash.digest('hex'), bytes };
}

function child(script: string, args: string[]): z.infer<typeof measured> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', resolve('tools/bench', script), ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 ** 2,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return measured.parse(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'));
}

await runMain(async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    { gib: { type: 'string', description: 'GiB of the long record (default 2)' } },
    z.object({ gib: z.coerce.number().min(0.01).max(16).default(2) }),
    'usage: npm run bench:planner-memory -- [--gib 2]',
  );
  const dir = mkdtempSync(join(tmpdir(), 'san-bench-memory-'));
  try {
    const cut = generateCut({ children: 50, seed: 1, cut: '2026-10', sources: ['rsh'] });
    const text = cut.files[0]?.bytes.toString('latin1') ?? '';
    const [header = '', ...rows] = text.split('\n').filter(Boolean);
    const good = rows.slice(0, 10);
    const fillerBytes = Math.round(flags.gib * 1024 ** 3);
    const cases = [
      // One record: a single line of the whole size.
      {
        name: `one line of ${flags.gib} GiB`,
        prefix: '',
        filler: Buffer.alloc(1024 ** 2, 'A'),
        lines: () => 1,
      },
      // A quote opened and never closed, then lines of 2 MiB: every one over the record limit.
      {
        name: `a quote never closed, then ${flags.gib} GiB of 2 MiB lines`,
        prefix: '"',
        filler: Buffer.concat([Buffer.alloc(2 * 1024 ** 2 - 1, 'B'), Buffer.from('\n')]),
        lines: (n: number) => Math.ceil(n / (2 * 1024 ** 2)),
      },
    ];
    const lines: string[] = [
      `Planner peak RSS on hostile gzip uploads (${new Date().toISOString().slice(0, 10)}, Node ${process.version})`,
      '',
      '| case | gzip | planner peak RSS | plain gunzip peak RSS | planner / gunzip | planner s | outcome |',
      '|---|---:|---:|---:|---:|---:|---|',
    ];
    for (const [i, c] of cases.entries()) {
      const file = join(dir, `case-${i}.csv.gz`);
      const { sha256, bytes } = await writeCase(file, good, header, c.prefix, c.filler, fillerBytes);
      const records = 2 * good.length + c.lines(fillerBytes);
      writeFileSync(
        manifestPath(file),
        JSON.stringify({
          cut: '2026-10',
          files: [{ name: 'rsh.csv.gz', source: 'rsh', rows: records, bytes, sha256 }],
        }),
      );
      const ours = child('planner-memory-plan.ts', [file]);
      const floor = child('planner-memory-gunzip.ts', [file]);
      lines.push(
        `| ${c.name} | ${(statSync(file).size / 1024 ** 2).toFixed(1)} MiB | ${ours.maxRssMb.toFixed(0)} MB | ` +
          `${floor.maxRssMb.toFixed(0)} MB | ${(ours.maxRssMb / floor.maxRssMb).toFixed(2)} | ${ours.seconds.toFixed(1)} | ${String(ours.outcome)} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

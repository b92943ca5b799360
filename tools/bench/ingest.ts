/**
 * `npm run bench:ingest`: throughput and memory of the ingest path against DuckDB's CSV reader.
 *
 * For each size, a national-shaped social-registry extract (21 columns, Latin-1, `;`, dd-mm-yyyy,
 * decimal commas, 2% defective rows) is generated to a file. Then, each in a fresh process on one
 * core: the cloud path's planner and chunk tasks (header check, encoding over every byte, content
 * hash, record boundaries; parse, validate, pseudonymise and shuffle every row), and DuckDB
 * (`threads=1`) reading and aggregating the same file. Reported: rows/s, their ratio, peak RSS.
 * Reduce and finalize are not included: they move already-validated rows between buckets.
 * A third child (`ingest-stages.ts`) splits a row's cost into read, validate, pseudonymise and
 * the rest, so the table shows how far each step alone stays from DuckDB.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { generateCut } from '../generate/generator';
import { parseFlags, runMain } from '../lib/cli-args';
import { manifestPath } from './file-stores';

const schema = z.object({
  rows: z
    .string()
    .default('250000,1000000')
    .transform((v) => v.split(',').map(Number))
    .refine(
      (v) => v.every((n) => Number.isInteger(n) && n >= 1000 && n <= 20_000_000),
      'sizes between 1000 and 20000000',
    ),
  'chunk-bytes': z.coerce
    .number()
    .int()
    .min(65_536)
    .default(32 * 1024 ** 2),
  seed: z.coerce.number().int().min(0).default(1),
});

const measured = z.object({ rows: z.number(), seconds: z.number(), maxRssMb: z.number() }).passthrough();
const stagesSchema = z.object({
  rows: z.number(),
  stages: z.object({
    parse: z.number(),
    validate: z.number(),
    pseudonymise: z.number(),
    process: z.number(),
  }),
});

function child(script: string, args: string[]): z.infer<typeof measured> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', resolve('tools/bench', script), ...args], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const last = out.trim().split('\n').at(-1) ?? '';
  return measured.parse(JSON.parse(last));
}

runMain(async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      rows: {
        type: 'string',
        description: 'comma-separated extract sizes in children (default 250000,1000000)',
      },
      'chunk-bytes': { type: 'string', description: 'ingest chunk size (default 32 MiB, as deployed)' },
      seed: { type: 'string', description: 'generator seed (default 1)' },
    },
    schema,
    'usage: npm run bench:ingest -- [flags]',
  );
  const dir = mkdtempSync(join(tmpdir(), 'san-bench-'));
  const lines: string[] = [];
  const stageLines: string[] = [];
  try {
    for (const size of flags.rows) {
      const cut = generateCut({ children: size, seed: flags.seed, cut: '2026-10', sources: ['rsh'] });
      const file = join(dir, `rsh-${size}.csv`);
      const bytes = cut.files[0]?.bytes;
      if (!bytes) throw new Error('the generator wrote no file');
      writeFileSync(file, bytes);
      writeFileSync(manifestPath(file), JSON.stringify(cut.manifest));
      writeFileSync(manifestPath(file), JSON.stringify(cut.manifest));
      const ours = child('ingest-ours.ts', [file, String(flags['chunk-bytes'])]);
      const duck = child('ingest-duckdb.ts', [file]);
      if (duck.rows !== ours.rows)
        throw new Error(`row counts differ: ours ${ours.rows}, DuckDB ${duck.rows}`);
      const stages = stagesSchema.parse(child('ingest-stages.ts', [file]));
      if (stages.rows !== ours.rows)
        throw new Error(`row counts differ: ours ${ours.rows}, stages ${stages.rows}`);
      const oursRate = ours.rows / ours.seconds;
      const duckRate = duck.rows / duck.seconds;
      const stage = (seconds: number): string => {
        const rate = stages.rows / seconds;
        return `${Math.round(rate).toLocaleString('en')} (${(rate / duckRate).toFixed(2)})`;
      };
      stageLines.push(
        `| ${stages.rows.toLocaleString('en')} | ${stage(stages.stages.parse)} | ${stage(stages.stages.validate)} | ` +
          `${stage(stages.stages.pseudonymise)} | ${stage(stages.stages.process)} | ${stage(ours.seconds)} |`,
      );
      lines.push(
        `| ${ours.rows.toLocaleString('en')} | ${(statSync(file).size / 1024 ** 2).toFixed(0)} MiB | ` +
          `${Math.round(oursRate).toLocaleString('en')} | ${Math.round(duckRate).toLocaleString('en')} | ` +
          `${(oursRate / duckRate).toFixed(3)} | ${ours.maxRssMb.toFixed(0)} MB | ${duck.maxRssMb.toFixed(0)} MB |`,
      );
      process.stderr.write(`${size}: done\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      `Ingest benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpu}, ${cpus().length} cores, ` +
        `${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, chunk ${flags['chunk-bytes']} bytes`,
      '',
      '| rows | file | ours rows/s (1 core) | DuckDB rows/s (threads=1) | ours / DuckDB | ours peak RSS | DuckDB peak RSS |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...lines,
      '',
      'Where the time goes: rows/s (and ratio to DuckDB) of passes over the same file in one process, each',
      'doing one more step per row; the last column is the full chunk tasks above.',
      '',
      '| rows | read and split | + validate | + pseudonymise RUN | + records, quality, JSON | full chunk tasks |',
      '|---:|---:|---:|---:|---:|---:|',
      ...stageLines,
      '',
    ].join('\n'),
  );
});

/**
 * `npm run generate -- --children N --seed S --cut yyyy-mm --out DIR`: writes a synthetic monthly
 * cut (one CSV per source) and, apart from it, the ground truth used only for evaluation.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MANIFEST_NAME } from '../../functions/ingest/domain/manifest';
import { cutKnowledgeDate } from '../../functions/shared/domain/dates';
import { parseFlags, runMain } from '../lib/cli-args';
import { generateCut } from './generator';

const schema = z.object({
  children: z.coerce.number().int().min(1).max(5_000_000).default(2_000),
  seed: z.coerce.number().int().min(0).default(42),
  cut: z
    .string()
    .refine((c) => cutKnowledgeDate(c) !== undefined, 'must be yyyy-mm')
    .default('2026-10'),
  out: z.string().min(1).default('data/demo'),
  'defect-rate': z.coerce.number().min(0).max(0.5).default(0.02),
});

runMain(async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      children: { type: 'string', description: 'children in the population (default 2000)' },
      seed: { type: 'string', description: 'random seed (default 42)' },
      cut: { type: 'string', description: 'monthly cut yyyy-mm (default 2026-10)' },
      out: { type: 'string', description: 'output folder (default data/demo)' },
      'defect-rate': { type: 'string', description: 'share of rows with a deliberate defect (default 0.02)' },
    },
    schema,
    'usage: npm run generate -- [flags]',
  );
  const generated = generateCut({
    children: flags.children,
    seed: flags.seed,
    cut: flags.cut,
    defectRate: flags['defect-rate'],
  });
  const dir = join(flags.out, 'extracts', generated.cut);
  await mkdir(dir, { recursive: true });
  for (const f of generated.files) await writeFile(join(dir, f.name), f.bytes);
  await writeFile(join(dir, MANIFEST_NAME), `${JSON.stringify(generated.manifest, null, 2)}\n`);
  const truthDir = join(flags.out, 'truth');
  await mkdir(truthDir, { recursive: true });
  const truth = [
    'run,comuna,probability,outcome',
    ...generated.truth.map((t) => `${t.run},${t.comuna},${t.probability.toFixed(6)},${t.outcome}`),
  ];
  await writeFile(join(truthDir, `${generated.cut}.csv`), `${truth.join('\n')}\n`);
  process.stdout.write(
    `wrote ${join(dir, MANIFEST_NAME)} and\n${generated.files.map((f) => `  ${join(dir, f.name)} (${f.rows} rows, ${f.bytes.length} bytes, ${f.encoding})`).join('\n')}\n` +
      `ground truth (evaluation only): ${join(truthDir, `${generated.cut}.csv`)}\n`,
  );
});

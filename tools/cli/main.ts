/**
 * `npm run san -- <command>`: the data team's tool for monthly cuts.
 *
 *   validate --dir <folder> [--cut yyyy-mm]    check every extract locally, as ingest will, and
 *                                              print its report and data-quality index; exits 1
 *                                              when a file would be refused as a whole
 *   upload --dir <folder> --cut yyyy-mm --bucket <raw bucket> [--endpoint <url>]
 *                                              upload the manifest, then every file, to
 *                                              extracts/<cut>/ (AWS credentials from the usual
 *                                              chain; --endpoint for the local system)
 *   status --cut yyyy-mm --api <url> [--token <jwt>] [--watch]
 *                                              show each file's ingest progress and result
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { CONTRACTS, isSourceId } from '../../functions/ingest/domain/contracts';
import { ingestExtract } from '../../functions/ingest/domain/ingest-extract';
import type { CutManifest } from '../../functions/ingest/domain/manifest';
import { checkAgainstManifest, MANIFEST_NAME, manifestSchema } from '../../functions/ingest/domain/manifest';
import { reasonKind } from '../../functions/ingest/domain/row-processor';
import { cutKnowledgeDate } from '../../functions/shared/domain/dates';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { EXTRACTS_PREFIX } from '../../infra/system';
import { parseFlags, runMain, UsageError } from '../lib/cli-args';
import { ProgressBar } from './progress';

const USAGE = 'usage: npm run san -- <validate|upload|status> [flags]   (npm run san -- <command> --help)';
const cutFlag = z.string().refine((c) => cutKnowledgeDate(c) !== undefined, 'must be yyyy-mm');

/** Extract files of a folder: `<source>.csv` or `<source>.csv.gz` with a known source. */
function extractsIn(dir: string): { path: string; name: string; source: keyof typeof CONTRACTS }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--dir ${dir} is not a folder`);
  return readdirSync(dir)
    .filter((f) => /\.csv(\.gz)?$/.test(f))
    .sort()
    .map((name) => {
      const source = name.replace(/\.csv(\.gz)?$/, '');
      if (!isSourceId(source)) {
        throw new UsageError(
          `${name}: no contract for source "${source}" (known: ${Object.keys(CONTRACTS).join(', ')})`,
        );
      }
      return { path: join(dir, name), name, source };
    });
}

function readManifest(dir: string): CutManifest | undefined {
  const path = join(dir, MANIFEST_NAME);
  if (!existsSync(path)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

async function validate(argv: string[]): Promise<void> {
  const flags = parseFlags(
    argv,
    {
      dir: { type: 'string', description: 'folder with the cut: <source>.csv[.gz] files and manifest.json' },
      cut: {
        type: 'string',
        description: 'the cut yyyy-mm (default: from the manifest, else the current month)',
      },
    },
    z.object({ dir: z.string().min(1), cut: cutFlag.optional() }),
    'usage: npm run san -- validate --dir <folder> [--cut yyyy-mm]',
  );
  const manifest = readManifest(flags.dir);
  const cut = flags.cut ?? manifest?.cut ?? new Date().toISOString().slice(0, 7);
  // A throwaway key: validation needs pseudonyms only to find duplicates, never to keep them.
  const pseudonymiser = createPseudonymiser(randomBytes(32).toString('hex'));
  let refused = 0;
  for (const file of extractsIn(flags.dir)) {
    const size = statSync(file.path).size;
    const bar = new ProgressBar(file.name, size, 'bytes');
    const stream = createReadStream(file.path);
    let read = 0;
    stream.on('data', (chunk) => {
      read += chunk.length;
      bar.update(read);
    });
    const result = await ingestExtract({
      contract: CONTRACTS[file.source],
      cut,
      objectKey: file.name,
      body: stream,
      pseudonymiser,
    });
    bar.done();
    const r = result.report;
    const bytes = readFileSync(file.path);
    const check = checkAgainstManifest(manifest, file.name, {
      rows: r.rowsRead,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    if (r.status !== 'accepted' || check.problems.length > 0) refused++;
    const out: string[] = [];
    if (r.status === 'accepted') {
      out.push(
        `  ${r.layout?.encoding}, '${r.layout?.delimiter}'${r.layout?.gzip ? ', gzip' : ''}: read ${r.rowsRead} = accepted ${r.accepted} + rejected ${r.rejected} + duplicates ${r.duplicates}`,
      );
      for (const [reason, n] of Object.entries(r.rejectionsByReason)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)) {
        out.push(`    ${String(n).padStart(6)} × ${reason}`);
      }
      // Reasons can quote the rejected value (a RUN, a name): only their masked kind is printed.
      for (const q of result.quarantine.slice(0, 3)) out.push(`    e.g. line ${q.line}, ${reasonKind(q)}`);
      if (result.quality) {
        const t = result.quality.total.scores;
        out.push(
          `  quality index ${t.ici}  (validity ${t.validity}, uniqueness ${t.uniqueness}` +
            `${t.completeness !== undefined ? `, completeness ${t.completeness}` : ''}` +
            `${t.timeliness !== undefined ? `, timeliness ${t.timeliness}` : ''})`,
        );
        for (const e of result.quality.entries.slice(0, 3)) {
          const weakest = [...e.items]
            .filter((i) => i.met < i.applicable)
            .sort((a, b) => a.met / a.applicable - b.met / b.applicable)[0];
          out.push(
            `    lowest: ${e.institution} (${e.comuna}) ${e.scores.ici}${weakest ? ` — ${weakest.label}: ${weakest.met}/${weakest.applicable}` : ''}`,
          );
        }
      }
    } else {
      out.push(`  REFUSED (${r.error?.problem}): ${r.error?.message}`);
    }
    for (const p of check.problems) out.push(`  MANIFEST: ${p}`);
    if (manifest && !check.declared && check.problems.length === 0) out.push('  (not in the manifest)');
    process.stdout.write(`${file.name} [${file.source}]\n${out.join('\n')}\n`);
  }
  if (refused > 0) {
    process.stdout.write(`\n${refused} file(s) would be refused as a whole; fix them before uploading.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('\nevery file can be ingested.\n');
  }
}

async function upload(argv: string[]): Promise<void> {
  const flags = parseFlags(
    argv,
    {
      dir: { type: 'string', description: 'folder with the cut' },
      cut: { type: 'string', description: 'the cut yyyy-mm' },
      bucket: { type: 'string', description: 'the raw bucket (the stack output RawBucket; san-raw locally)' },
      endpoint: {
        type: 'string',
        description: 'S3 endpoint of the local system (path-style, credentials S3RVER)',
      },
    },
    z.object({
      dir: z.string().min(1),
      cut: cutFlag,
      bucket: z.string().min(3),
      endpoint: z.url().optional(),
    }),
    'usage: npm run san -- upload --dir <folder> --cut yyyy-mm --bucket <bucket> [--endpoint <url>]',
  );
  const files = extractsIn(flags.dir);
  const manifest = readManifest(flags.dir);
  if (manifest && manifest.cut !== flags.cut) {
    throw new UsageError(`the manifest is for cut ${manifest.cut}, not ${flags.cut}`);
  }
  const s3 = new S3Client({
    ...(flags.endpoint
      ? {
          endpoint: flags.endpoint,
          forcePathStyle: true,
          region: 'us-east-1',
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
          },
        }
      : {}),
  });
  const put = async (name: string, body: Buffer, contentType: string): Promise<void> => {
    await s3.send(
      new PutObjectCommand({
        Bucket: flags.bucket,
        Key: `${EXTRACTS_PREFIX}${flags.cut}/${name}`,
        Body: body,
        ContentType: contentType,
      }),
    );
  };
  if (manifest) await put(MANIFEST_NAME, readFileSync(join(flags.dir, MANIFEST_NAME)), 'application/json');
  const total = files.reduce((s, f) => s + statSync(f.path).size, 0);
  const bar = new ProgressBar(`upload ${flags.cut}`, total, 'bytes');
  let sent = 0;
  for (const f of files) {
    const body = readFileSync(f.path);
    await put(f.name, body, f.name.endsWith('.gz') ? 'application/gzip' : 'text/csv');
    sent += body.length;
    bar.update(sent, basename(f.path));
  }
  bar.done();
  process.stdout.write(
    `uploaded ${manifest ? 'manifest.json and ' : ''}${files.length} file(s) to s3://${flags.bucket}/${EXTRACTS_PREFIX}${flags.cut}/\n` +
      `follow with: npm run san -- status --cut ${flags.cut} --api <API url> --watch\n`,
  );
}

const runsSchema = z.object({
  cut: z.string(),
  runs: z.array(
    z.object({
      objectKey: z.string(),
      status: z.string(),
      chunks: z.object({ done: z.number(), total: z.number() }),
      buckets: z.object({ done: z.number(), total: z.number() }),
      // Absent from the answers of versions that wrote identities during reduce.
      publish: z.object({ done: z.number(), total: z.number() }).default({ done: 0, total: 0 }),
      failure: z.object({ message: z.string() }).optional(),
      report: z
        .object({
          status: z.string(),
          rowsRead: z.number(),
          accepted: z.number(),
          rejected: z.number(),
          duplicates: z.number(),
          error: z.object({ message: z.string() }).optional(),
          quality: z.object({ ici: z.number() }).optional(),
        })
        .optional(),
    }),
  ),
});

async function status(argv: string[]): Promise<void> {
  const flags = parseFlags(
    argv,
    {
      cut: { type: 'string', description: 'the cut yyyy-mm' },
      api: { type: 'string', description: 'base URL of the SAN API' },
      token: { type: 'string', description: 'bearer token of a national role (default: $SAN_TOKEN)' },
      watch: { type: 'boolean', description: 'keep refreshing until every file is finished' },
    },
    z.object({ cut: cutFlag, api: z.url(), token: z.string().optional(), watch: z.boolean().default(false) }),
    'usage: npm run san -- status --cut yyyy-mm --api <url> [--token <jwt>] [--watch]',
  );
  const token = flags.token ?? process.env.SAN_TOKEN;
  for (;;) {
    const response = await fetch(`${flags.api.replace(/\/$/, '')}/v1/cuts/${flags.cut}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const body: unknown = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(`the API answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    }
    const { runs } = runsSchema.parse(body);
    if (runs.length === 0) process.stdout.write(`no file of cut ${flags.cut} has been received yet\n`);
    for (const r of runs) {
      const name = r.objectKey.slice(r.objectKey.lastIndexOf('/') + 1);
      const steps = r.chunks.total + r.buckets.total + 1 + r.publish.total;
      const done =
        r.chunks.done +
        r.buckets.done +
        (r.status === 'publishing' || r.status === 'done' || r.status === 'rejected' ? 1 : 0) +
        r.publish.done;
      const bar = new ProgressBar(name, steps, 'tasks');
      const rep = r.report;
      const note = rep
        ? rep.status === 'accepted'
          ? `read ${rep.rowsRead} = ${rep.accepted} + ${rep.rejected} rejected + ${rep.duplicates} duplicates, ICI ${rep.quality?.ici ?? '—'}`
          : `REFUSED: ${rep.error?.message ?? r.failure?.message ?? ''}`
        : r.status;
      if (done >= steps) bar.done(note);
      else bar.update(done, note);
      if (done < steps && process.stderr.isTTY) process.stderr.write('\n');
    }
    const finished = runs.every((r) => r.status === 'done' || r.status === 'rejected');
    if (!flags.watch || (finished && runs.length > 0)) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

runMain(async () => {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'validate') await validate(rest);
  else if (command === 'upload') await upload(rest);
  else if (command === 'status') await status(rest);
  else throw new UsageError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
});

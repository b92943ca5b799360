/**
 * `npm run san -- <command>`: the data team's tool for monthly cuts.
 *
 *   validate --dir <folder> [--cut yyyy-mm]    check every extract locally, as ingest will, and
 *                                              print its report and data-quality index; exits 1
 *                                              when a file would be refused as a whole, 2 when
 *                                              the folder (or its subfolders) has no extract
 *   upload --dir <folder> --cut yyyy-mm --bucket <raw bucket> [--endpoint <url>]
 *                                              upload the manifest, then every file, to
 *                                              extracts/<cut>/ (AWS credentials from the usual
 *                                              chain; --endpoint for the local system)
 *   status --cut yyyy-mm --api <url> [--token <jwt>] [--watch]
 *                                              show each file's ingest progress and result
 *   retry <cut> [source] --bucket <raw bucket> [--endpoint <url>]
 *                                              send again through ingest every file of the cut
 *                                              (or the source's) whose ingest failed in
 *                                              processing or never answered
 *   token <rol> [comunas] [--data-dir <folder>]
 *                                              print a token for the local system (npm start)
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { cutStatusRoute, ingestReportSchema } from '../../functions/ingest/api/routes';
import { CONTRACTS, isSourceId } from '../../functions/ingest/domain/contracts';
import { ingestExtract } from '../../functions/ingest/domain/ingest-extract';
import type { CutManifest } from '../../functions/ingest/domain/manifest';
import { checkAgainstManifest, MANIFEST_NAME, manifestSchema } from '../../functions/ingest/domain/manifest';
import { reasonKind } from '../../functions/ingest/domain/row-processor';
import { isRole, ROLES, scopeProblem } from '../../functions/shared/domain/access';
import { cutKnowledgeDate } from '../../functions/shared/domain/dates';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { EXTRACTS_PREFIX } from '../../infra/system';
import { demoComunas, demoToken } from '../../local/demo-users';
import { parseFlags, runMain, UsageError } from '../lib/cli-args';
import { extractsOfCut } from '../lib/cut-extracts';
import { findCutFolder } from './cut-folder';
import { ProgressBar } from './progress';
import { hashFile, uploadFile } from './upload-file';

const USAGE =
  'usage: npm run san -- <validate|upload|status|retry|token> [flags]   (npm run san -- <command> --help)';
const cutFlag = z.string().refine((c) => cutKnowledgeDate(c) !== undefined, 'must be yyyy-mm');

/** The cut's folder for `--dir` (itself or the one subfolder with extracts), said when it differs. */
function cutFolder(dir: string, cut: string | undefined): string {
  const found = findCutFolder(dir, cut);
  if (found.searched) process.stderr.write(`cut folder: ${found.dir}\n`);
  return found.dir;
}

/** Extract files of a folder: `<source>.csv` or `<source>.csv.gz` with a known source. */
function extractsIn(dir: string): { path: string; name: string; source: keyof typeof CONTRACTS }[] {
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
      dir: {
        type: 'string',
        description: 'folder with the cut (<source>.csv[.gz] files and manifest.json) or one above it',
      },
      cut: {
        type: 'string',
        description: 'the cut yyyy-mm (default: from the manifest, else the current month)',
      },
    },
    z.object({ dir: z.string().min(1), cut: cutFlag.optional() }),
    'usage: npm run san -- validate --dir <folder> [--cut yyyy-mm]',
  );
  const dir = cutFolder(flags.dir, flags.cut);
  const manifest = readManifest(dir);
  const cut = flags.cut ?? manifest?.cut ?? new Date().toISOString().slice(0, 7);
  // A throwaway key: validation needs pseudonyms only to find duplicates, never to keep them.
  const pseudonymiser = createPseudonymiser(randomBytes(32).toString('hex'));
  let refused = 0;
  for (const file of extractsIn(dir)) {
    const size = statSync(file.path).size;
    const bar = new ProgressBar(file.name, size, 'bytes');
    const stream = createReadStream(file.path);
    // Hashed as it is validated: one pass, and no read of the whole file (Node refuses one over 2 GiB).
    const hash = createHash('sha256');
    let read = 0;
    stream.on('data', (chunk) => {
      hash.update(chunk);
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
    // A file refused early is not read to its end: its size and hash take a pass of their own.
    const whole = read === size ? { bytes: read, sha256: hash.digest('hex') } : await hashFile(file.path);
    // Ingest refuses a file whose cut has no manifest, so validation does too.
    const check = manifest
      ? checkAgainstManifest(
          manifest,
          MANIFEST_NAME,
          { name: file.name, cut, source: file.source },
          { rows: r.rowsRead, ...whole },
        )
      : {
          problems: [
            `no hay ${MANIFEST_NAME} en ${dir}: ingest rechaza los archivos de un corte sin manifiesto`,
          ],
        };
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
        const dimensions = (['validity', 'uniqueness', 'completeness', 'timeliness'] as const)
          .filter((d) => t[d] !== undefined)
          .map((d) => `${d} ${t[d]}`);
        out.push(
          t.ici === null
            ? `  quality index — (${t.note ?? 'not measured'})`
            : `  quality index ${t.ici}  (${dimensions.join(', ')})`,
        );
        for (const e of result.quality.entries.filter((x) => x.scores.ici !== null).slice(0, 3)) {
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
    process.stdout.write(`${file.name} [${file.source}]\n${out.join('\n')}\n`);
  }
  if (refused > 0) {
    process.stdout.write(`\n${refused} file(s) would be refused as a whole; fix them before uploading.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('\nevery file can be ingested.\n');
  }
}

/** S3 as the data team reaches it: AWS's usual credential chain, or the local system's endpoint. */
function rawBucketClient(endpoint: string | undefined): S3Client {
  return new S3Client({
    ...(endpoint
      ? {
          endpoint,
          forcePathStyle: true,
          region: 'us-east-1',
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
          },
        }
      : {}),
  });
}

async function upload(argv: string[]): Promise<void> {
  const flags = parseFlags(
    argv,
    {
      dir: { type: 'string', description: 'folder with the cut, or one above it' },
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
  const dir = cutFolder(flags.dir, flags.cut);
  const files = extractsIn(dir);
  const manifest = readManifest(dir);
  if (manifest && manifest.cut !== flags.cut) {
    throw new UsageError(`the manifest is for cut ${manifest.cut}, not ${flags.cut}`);
  }
  // First a streamed pass over every file: one that differs from its manifest entry would be
  // refused by ingest, so nothing is uploaded until all agree.
  const sizes = files.map((f) => statSync(f.path).size);
  const total = sizes.reduce((s, n) => s + n, 0);
  const hashBar = new ProgressBar(`sha256 ${flags.cut}`, total, 'bytes');
  let hashed = 0;
  const mismatches: string[] = [];
  for (const f of files) {
    const read = await hashFile(f.path, (n) => hashBar.update(hashed + n, f.name));
    hashed += read.bytes;
    const entry = manifest?.files.find((e) => e.name === f.name);
    if (!manifest) continue;
    if (!entry) mismatches.push(`${f.name}: el manifiesto no lo declara`);
    else if (entry.bytes !== read.bytes)
      mismatches.push(
        `${f.name}: el manifiesto declara ${entry.bytes} bytes, el archivo tiene ${read.bytes}`,
      );
    else if (entry.sha256 !== read.sha256) mismatches.push(`${f.name}: SHA-256 distinto al del manifiesto`);
  }
  hashBar.done();
  if (mismatches.length > 0) {
    throw new Error(
      `no se subió nada: ingest rechazaría estos archivos (corrija el archivo o el manifiesto; validate dice más):\n  ${mismatches.join('\n  ')}`,
    );
  }
  const s3 = rawBucketClient(flags.endpoint);
  const keyOf = (name: string): string => `${EXTRACTS_PREFIX}${flags.cut}/${name}`;
  if (manifest) {
    await s3.send(
      new PutObjectCommand({
        Bucket: flags.bucket,
        Key: keyOf(MANIFEST_NAME),
        Body: readFileSync(join(dir, MANIFEST_NAME)),
        ContentType: 'application/json',
      }),
    );
  }
  const bar = new ProgressBar(`upload ${flags.cut}`, total, 'bytes');
  let sent = 0;
  for (const [i, f] of files.entries()) {
    await uploadFile({
      s3,
      bucket: flags.bucket,
      key: keyOf(f.name),
      path: f.path,
      contentType: f.name.endsWith('.gz') ? 'application/gzip' : 'text/csv',
      onProgress: (n) => bar.update(sent + n, basename(f.path)),
    });
    sent += sizes[i] ?? 0;
  }
  bar.done();
  process.stdout.write(
    `uploaded ${manifest ? 'manifest.json and ' : ''}${files.length} file(s) to s3://${flags.bucket}/${EXTRACTS_PREFIX}${flags.cut}/\n` +
      `follow with: npm run san -- status --cut ${flags.cut} --api <API url> --watch\n`,
  );
}

/** The answer of `GET /v1/cuts/{cut}`, as its route table describes it. */
const runsSchema = cutStatusRoute.responses[200].schema;

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

/** Largest object S3 copies in one request; a bigger file is sent again with `upload`. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

const retryReportSchema = ingestReportSchema;

/**
 * Why a file is (or is not) sent through ingest again, from its latest report: a report older
 * than the upload answers an earlier upload, so the latest one has none yet.
 */
function retryDecision(report: z.infer<typeof retryReportSchema> | undefined): {
  readonly retry: boolean;
  readonly why: string;
} {
  if (!report) {
    return {
      retry: true,
      why: 'sin informe de su último envío (la ingesta se detuvo o nunca empezó; si sigue en curso, el reenvío se ignora)',
    };
  }
  if (report.status === 'accepted') return { retry: false, why: 'ya ingerido; no se reintenta' };
  if (report.status === 'already-ingested') {
    return { retry: false, why: 'su contenido ya fue ingerido desde otro archivo; no se reintenta' };
  }
  if (report.error?.problem === 'processing-failed') {
    return { retry: true, why: `la ingesta falló en el proceso: ${report.error.message}` };
  }
  return {
    retry: false,
    why: `rechazado por su contenido (${report.error?.problem ?? 'rechazado'}); corrija el archivo y vuelva a subirlo`,
  };
}

/**
 * Sends a file through ingest again without uploading it: the object is copied onto itself (same
 * bytes, a `san-retry` metadata stamp), which S3 announces as a new ObjectCreated event, exactly
 * like an upload. The planner then starts a new attempt of a run that failed in processing or
 * stopped progressing, and ignores the event for a run still progressing.
 */
async function retry(argv: string[]): Promise<void> {
  const positionals: string[] = [];
  while (argv[0] !== undefined && !argv[0].startsWith('-')) positionals.push(argv.shift() as string);
  const usage = 'usage: npm run san -- retry <cut> [source] --bucket <bucket> [--endpoint <url>]';
  const flags = parseFlags(
    argv,
    {
      bucket: { type: 'string', description: 'the raw bucket (the stack output RawBucket; san-raw locally)' },
      endpoint: {
        type: 'string',
        description: 'S3 endpoint of the local system (path-style, credentials S3RVER)',
      },
    },
    z.object({ bucket: z.string().min(3), endpoint: z.url().optional() }),
    usage,
  );
  const [cut, source, ...extra] = positionals;
  if (!cut || extra.length > 0) throw new UsageError(usage);
  const parsedCut = cutFlag.safeParse(cut);
  if (!parsedCut.success) throw new UsageError(`<cut> ${cut}: must be yyyy-mm\n${usage}`);
  if (source !== undefined && !isSourceId(source)) {
    throw new UsageError(`unknown source "${source}" (known: ${Object.keys(CONTRACTS).join(', ')})`);
  }
  const s3 = rawBucketClient(flags.endpoint);
  const files = (await extractsOfCut(s3, flags.bucket, cut)).filter((f) => !source || f.source === source);
  if (files.length === 0) {
    throw new UsageError(
      `no hay ${source ? `archivo de la fuente ${source}` : 'archivos'} en s3://${flags.bucket}/${EXTRACTS_PREFIX}${cut}/`,
    );
  }
  let sent = 0;
  for (const file of files) {
    let report: z.infer<typeof retryReportSchema> | undefined;
    if (file.report && file.report.lastModified >= file.lastModified) {
      const out = await s3.send(new GetObjectCommand({ Bucket: flags.bucket, Key: file.report.key }));
      report = retryReportSchema.parse(JSON.parse((await out.Body?.transformToString()) ?? '{}'));
    }
    const decision = retryDecision(report);
    if (!decision.retry) {
      process.stdout.write(`${file.key}: ${decision.why}\n`);
      continue;
    }
    if (file.size > MAX_COPY_BYTES) {
      process.stdout.write(
        `${file.key}: ${decision.why}; supera 5 GiB y S3 no lo copia en una sola operación: súbalo de nuevo con upload\n`,
      );
      continue;
    }
    const head = await s3.send(new HeadObjectCommand({ Bucket: flags.bucket, Key: file.key }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: flags.bucket,
        Key: file.key,
        // URL-encoded, slashes kept (s3rver decodes it with decodeURI, which leaves %2F alone).
        CopySource: `${flags.bucket}/${encodeURIComponent(file.key).replace(/%2F/g, '/')}`,
        MetadataDirective: 'REPLACE',
        Metadata: { ...head.Metadata, 'san-retry': new Date().toISOString() },
        ...(head.ContentType ? { ContentType: head.ContentType } : {}),
      }),
    );
    sent++;
    process.stdout.write(`${file.key}: reenviado a la ingesta — ${decision.why}\n`);
  }
  process.stdout.write(
    sent > 0
      ? `reenviados ${sent} archivo(s); siga con: npm run san -- status --cut ${cut} --api <URL de la API> --watch\n`
      : 'nada que reintentar.\n',
  );
}

/**
 * Prints a token for the local system (`npm start`), signed with the key in its state folder, for
 * a role and comunas (default: the demo user's of that role), so that a role's view can be tried.
 */
async function token(argv: string[]): Promise<void> {
  const positionals: string[] = [];
  while (argv[0] !== undefined && !argv[0].startsWith('-')) positionals.push(argv.shift() as string);
  const usage = `usage: npm run -s san -- token <rol> [comunas] [--data-dir .san-local]   (roles: ${ROLES.join(', ')})`;
  const flags = parseFlags(
    argv,
    { 'data-dir': { type: 'string', description: 'state folder of npm start (default .san-local)' } },
    z.object({ 'data-dir': z.string().min(1).default('.san-local') }),
    usage,
  );
  const [role, comunasArg, ...extra] = positionals;
  if (!role || extra.length > 0) throw new UsageError(usage);
  if (!isRole(role)) throw new UsageError(`rol desconocido "${role}"\n${usage}`);
  const comunas: '*' | string[] | readonly string[] =
    comunasArg === undefined ? demoComunas(role) : comunasArg === '*' ? '*' : comunasArg.split(',');
  const problem = scopeProblem(role, comunas);
  if (problem) throw new UsageError(problem);
  const keyPath = join(flags['data-dir'], 'jwt.key');
  if (!existsSync(keyPath)) {
    throw new UsageError(`no existe ${keyPath}: inicie el sistema local (npm start) o indique --data-dir`);
  }
  const key = readFileSync(keyPath, 'utf8').trim();
  process.stdout.write(`${demoToken(key, { role, subject: `demo-${role}`, comunas })}\n`);
}

runMain(async () => {
  // As at the local start: the SDK's notice that its releases after January 2027 need Node.js 22 is
  // about the SDK, not the data team's files; a value set in the environment is kept.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'validate') await validate(rest);
  else if (command === 'upload') await upload(rest);
  else if (command === 'status') await status(rest);
  else if (command === 'retry') await retry(rest);
  else if (command === 'token') await token(rest);
  else throw new UsageError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
});

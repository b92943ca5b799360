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
 *   redrive <cola> [--endpoint <url> | --queue-url <url> --dlq-url <url>] [--dry-run] [--max n]
 *                                              move the messages of a queue's dead-letter queue
 *                                              back to it, after counting them by reason (`redrive.ts`)
 *   token <rol> [comunas] [--data-dir <folder>]
 *                                              print a token for the local system (npm start)
 *   model <list|show|register|shadow|approve|promote|rollback|report> … --api <url> [--token <jwt>]
 *                                              the model registry's life cycle (`model.ts`)
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
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
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
import type { QueueId } from '../../infra/system';
import { EXTRACTS_PREFIX, system } from '../../infra/system';
import { demoComunas, demoToken } from '../../local/demo-users';
import { localName } from '../../local/names';
import { parseFlags, runMain, UsageError } from '../lib/cli-args';
import { extractsOfCut } from '../lib/cut-extracts';
import { findCutFolder } from './cut-folder';
import { explainS3Failure, unreachable } from './failures';
import { model } from './model';
import { ProgressBar } from './progress';
import { redrive } from './redrive';
import { hashFile, uploadFile } from './upload-file';

const USAGE = `uso: npm run san -- <comando> [opciones]

Comandos:
  validate   revisa localmente cada extracto de un corte, como lo hará la ingesta
  upload     sube el manifiesto y los extractos del corte al bucket raw
  status     muestra el avance y el resultado de la ingesta de cada archivo del corte
  retry      envía de nuevo a la ingesta los archivos cuya ingesta falló o no respondió
  redrive    devuelve a su cola los mensajes de la cola de mensajes fallidos (DLQ), tras corregir la causa
  token      imprime un token para el sistema local (npm start)
  model      el ciclo de vida del modelo: registrar, sombra, aprobar, promover, volver atrás, informes

La ayuda de cada comando: npm run san -- <comando> --help`;
const cutFlag = z
  .string()
  .refine((c) => cutKnowledgeDate(c) !== undefined, 'debe ser aaaa-mm (por ejemplo 2026-11)');
/** An http(s) URL flag, with the example the data team would type. */
const urlFlag = z.url({ error: 'debe ser una URL, por ejemplo http://127.0.0.1:3001' });

const BUCKET_HELP = 'el bucket raw (la salida RawBucket del stack; san-raw en el sistema local)';
const ENDPOINT_HELP = 'endpoint S3 del sistema local (npm start lo imprime; credenciales S3RVER)';

/** The quality index's dimensions, as `validate` names them. */
const DIMENSIONS = {
  validity: 'validez',
  uniqueness: 'unicidad',
  completeness: 'completitud',
  timeliness: 'oportunidad',
} as const;

/** A run's status, as `status` shows it while the file has no report yet. */
const RUN_STATUS = {
  processing: 'en proceso',
  publishing: 'publicando',
  done: 'terminado',
  rejected: 'rechazado',
} as const;

/** What to check when the API refuses `status`'s request. */
const API_STATUS_HINT: Record<number, string> = {
  401: ' (falta el token o no es válido: --token <jwt> o $SAN_TOKEN)',
  403: ' (el token no es de un rol nacional)',
  404: ' (¿es --api la URL de la API del SAN?)',
};

/** The cut's folder for `--dir` (itself or the one subfolder with extracts), said when it differs. */
function cutFolder(dir: string, cut: string | undefined): string {
  const found = findCutFolder(dir, cut);
  if (found.searched) process.stderr.write(`carpeta del corte: ${found.dir}\n`);
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
          `${name}: no hay contrato para la fuente "${source}" (fuentes: ${Object.keys(CONTRACTS).join(', ')})`,
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
    throw new UsageError(`${path} no es JSON válido: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(data, { error: z.locales.es().localeError });
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
        value: 'carpeta',
        description: 'carpeta del corte (<fuente>.csv[.gz] y manifest.json) o una que la contenga',
      },
      cut: {
        type: 'string',
        value: 'aaaa-mm',
        description: 'el corte (por omisión: el del manifiesto, si no el mes en curso)',
      },
    },
    z.object({ dir: z.string().min(1), cut: cutFlag.optional() }),
    'uso: npm run san -- validate --dir <carpeta> [--cut aaaa-mm]',
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
        `  ${r.layout?.encoding}, '${r.layout?.delimiter}'${r.layout?.gzip ? ', gzip' : ''}: leídas ${r.rowsRead} = aceptadas ${r.accepted} + rechazadas ${r.rejected} + duplicadas ${r.duplicates}`,
      );
      for (const [reason, n] of Object.entries(r.rejectionsByReason)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)) {
        out.push(`    ${String(n).padStart(6)} × ${reason}`);
      }
      // Reasons can quote the rejected value (a RUN, a name): only their masked kind is printed.
      for (const q of result.quarantine.slice(0, 3)) out.push(`    p. ej. línea ${q.line}, ${reasonKind(q)}`);
      if (result.quality) {
        const t = result.quality.total.scores;
        const dimensions = (Object.keys(DIMENSIONS) as (keyof typeof DIMENSIONS)[])
          .filter((d) => t[d] !== undefined)
          .map((d) => `${DIMENSIONS[d]} ${t[d]}`);
        out.push(
          t.ici === null
            ? `  índice de calidad — (${t.note ?? 'no medido'})`
            : `  índice de calidad ${t.ici}  (${dimensions.join(', ')})`,
        );
        for (const e of result.quality.entries.filter((x) => x.scores.ici !== null).slice(0, 3)) {
          const weakest = [...e.items]
            .filter((i) => i.met < i.applicable)
            .sort((a, b) => a.met / a.applicable - b.met / b.applicable)[0];
          out.push(
            `    más bajo: ${e.institution} (${e.comuna}) ${e.scores.ici}${weakest ? ` — ${weakest.label}: ${weakest.met}/${weakest.applicable}` : ''}`,
          );
        }
      }
    } else {
      out.push(`  RECHAZADO (${r.error?.problem}): ${r.error?.message}`);
    }
    for (const p of check.problems) out.push(`  MANIFIESTO: ${p}`);
    process.stdout.write(`${file.name} [${file.source}]\n${out.join('\n')}\n`);
  }
  if (refused > 0) {
    process.stdout.write(
      `\n${refused} archivo(s) serían rechazados completos por la ingesta; corríjalos antes de subirlos.\n`,
    );
    process.exitCode = 1;
  } else {
    process.stdout.write('\ntodos los archivos se pueden ingerir.\n');
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
      dir: { type: 'string', value: 'carpeta', description: 'carpeta del corte, o una que la contenga' },
      cut: { type: 'string', value: 'aaaa-mm', description: 'el corte' },
      bucket: { type: 'string', value: 'bucket', description: BUCKET_HELP },
      endpoint: { type: 'string', value: 'url', description: ENDPOINT_HELP },
    },
    z.object({
      dir: z.string().min(1),
      cut: cutFlag,
      bucket: z.string().min(3),
      endpoint: urlFlag.optional(),
    }),
    'uso: npm run san -- upload --dir <carpeta> --cut aaaa-mm --bucket <bucket> [--endpoint <url>]',
  );
  try {
    const dir = cutFolder(flags.dir, flags.cut);
    const files = extractsIn(dir);
    const manifest = readManifest(dir);
    if (manifest && manifest.cut !== flags.cut) {
      throw new UsageError(`el manifiesto es del corte ${manifest.cut}, no del ${flags.cut}`);
    }
    const s3 = rawBucketClient(flags.endpoint);
    // A missing region or credentials is said now, not after hashing a cut of several gigabytes.
    await s3.config.region();
    await s3.config.credentials();
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
    const bar = new ProgressBar(`subida ${flags.cut}`, total, 'bytes');
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
      `subidos ${manifest ? 'manifest.json y ' : ''}${files.length} archivo(s) a s3://${flags.bucket}/${EXTRACTS_PREFIX}${flags.cut}/\n` +
        `siga con: npm run san -- status --cut ${flags.cut} --api <URL de la API> --watch\n`,
    );
  } catch (error) {
    throw explainS3Failure(error, flags);
  }
}

/** The answer of `GET /v1/cuts/{cut}`, as its route table describes it. */
const runsSchema = cutStatusRoute.responses[200].schema;

async function status(argv: string[]): Promise<void> {
  const flags = parseFlags(
    argv,
    {
      cut: { type: 'string', value: 'aaaa-mm', description: 'el corte' },
      api: { type: 'string', value: 'url', description: 'URL base de la API del SAN' },
      token: {
        type: 'string',
        value: 'jwt',
        description: 'token (bearer) de un rol nacional (por omisión: $SAN_TOKEN)',
      },
      watch: { type: 'boolean', description: 'seguir actualizando hasta que todos los archivos terminen' },
    },
    z.object({ cut: cutFlag, api: urlFlag, token: z.string().optional(), watch: z.boolean().default(false) }),
    'uso: npm run san -- status --cut aaaa-mm --api <url> [--token <jwt>] [--watch]',
  );
  const token = flags.token ?? process.env.SAN_TOKEN;
  for (;;) {
    const url = `${flags.api.replace(/\/$/, '')}/v1/cuts/${flags.cut}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    } catch (error) {
      throw new Error(unreachable(flags.api, error));
    }
    const body: unknown = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(
        `la API respondió ${response.status}${API_STATUS_HINT[response.status] ?? ''}: ${JSON.stringify(body).slice(0, 300)}`,
      );
    }
    const parsed = runsSchema.safeParse(body);
    if (!parsed.success) {
      throw new Error(
        `la respuesta de ${url} no es la de GET /v1/cuts/{cut}: ¿es --api la URL de la API del SAN?`,
      );
    }
    const { runs } = parsed.data;
    if (runs.length === 0)
      process.stdout.write(`aún no se ha recibido ningún archivo del corte ${flags.cut}\n`);
    for (const r of runs) {
      const name = r.objectKey.slice(r.objectKey.lastIndexOf('/') + 1);
      const steps = r.chunks.total + r.buckets.total + 1 + r.publish.total;
      const done =
        r.chunks.done +
        r.buckets.done +
        (r.status === 'publishing' || r.status === 'done' || r.status === 'rejected' ? 1 : 0) +
        r.publish.done;
      const bar = new ProgressBar(name, steps, 'tareas');
      const rep = r.report;
      const note = rep
        ? rep.status === 'accepted'
          ? `leídas ${rep.rowsRead} = ${rep.accepted} + ${rep.rejected} rechazadas + ${rep.duplicates} duplicadas, ICI ${rep.quality?.ici ?? '—'}`
          : `RECHAZADO: ${rep.error?.message ?? r.failure?.message ?? ''}`
        : RUN_STATUS[r.status];
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
  const usage = 'uso: npm run san -- retry <aaaa-mm> [fuente] --bucket <bucket> [--endpoint <url>]';
  const flags = parseFlags(
    argv,
    {
      bucket: { type: 'string', value: 'bucket', description: BUCKET_HELP },
      endpoint: { type: 'string', value: 'url', description: ENDPOINT_HELP },
    },
    z.object({ bucket: z.string().min(3), endpoint: urlFlag.optional() }),
    usage,
  );
  try {
    const [cut, source, ...extra] = positionals;
    if (!cut || extra.length > 0) throw new UsageError(usage);
    const parsedCut = cutFlag.safeParse(cut);
    if (!parsedCut.success) throw new UsageError(`el corte ${cut} debe ser aaaa-mm\n${usage}`);
    if (source !== undefined && !isSourceId(source)) {
      throw new UsageError(`fuente desconocida "${source}" (fuentes: ${Object.keys(CONTRACTS).join(', ')})`);
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
  } catch (error) {
    throw explainS3Failure(error, flags);
  }
}

/**
 * Prints a token for the local system (`npm start`), signed with the key in its state folder, for
 * a role and comunas (default: the demo user's of that role), so that a role's view can be tried.
 */
async function token(argv: string[]): Promise<void> {
  const positionals: string[] = [];
  while (argv[0] !== undefined && !argv[0].startsWith('-')) positionals.push(argv.shift() as string);
  const usage = `uso: npm run -s san -- token <rol> [comunas] [--data-dir .san-local]   (roles: ${ROLES.join(', ')})`;
  const flags = parseFlags(
    argv,
    {
      'data-dir': {
        type: 'string',
        value: 'carpeta',
        description: 'carpeta de estado de npm start (por omisión .san-local)',
      },
    },
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

const QUEUE_IDS = Object.keys(system.queues) as QueueId[];

/** `redrive <cola>`: the dead-letter queue's messages back to their queue, counted by reason first. */
async function redriveCommand(argv: string[]): Promise<void> {
  const positionals: string[] = [];
  while (argv[0] !== undefined && !argv[0].startsWith('-')) positionals.push(argv.shift() as string);
  const usage = `uso: npm run san -- redrive <${QUEUE_IDS.join('|')}> [--endpoint <url> | --queue-url <url> --dlq-url <url>] [--dry-run] [--max n]`;
  const flags = parseFlags(
    argv,
    {
      endpoint: {
        type: 'string',
        value: 'url',
        description: 'endpoint SQS del sistema local (npm start lo imprime)',
      },
      'queue-url': {
        type: 'string',
        value: 'url',
        description: 'en AWS: la URL de la cola (salida <Cola>QueueUrl del stack)',
      },
      'dlq-url': {
        type: 'string',
        value: 'url',
        description: 'en AWS: la URL de su DLQ (salida <Cola>DlqUrl del stack)',
      },
      'dry-run': { type: 'boolean', description: 'solo contar los mensajes por motivo, sin moverlos' },
      max: { type: 'string', value: 'n', description: 'mover a lo más n mensajes (por omisión, todos)' },
    },
    z.object({
      endpoint: urlFlag.optional(),
      'queue-url': urlFlag.optional(),
      'dlq-url': urlFlag.optional(),
      'dry-run': z.boolean().default(false),
      max: z.coerce
        .number({ error: 'debe ser un número entero positivo' })
        .int()
        .positive()
        .default(1_000_000),
    }),
    usage,
  );
  const [queue, ...extra] = positionals;
  if (!queue || extra.length > 0) throw new UsageError(usage);
  if (!(QUEUE_IDS as string[]).includes(queue)) {
    throw new UsageError(`cola desconocida "${queue}" (colas: ${QUEUE_IDS.join(', ')})\n${usage}`);
  }
  const byUrl = flags['queue-url'] !== undefined || flags['dlq-url'] !== undefined;
  if (byUrl === (flags.endpoint !== undefined) || (byUrl && (!flags['queue-url'] || !flags['dlq-url']))) {
    throw new UsageError(`indique --endpoint (sistema local) o bien --queue-url y --dlq-url (AWS)\n${usage}`);
  }
  const sqs = new SQSClient(
    flags.endpoint
      ? {
          endpoint: flags.endpoint,
          region: 'us-east-1',
          // The local stand-in takes any credentials.
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
          },
        }
      : {},
  );
  let queueUrl = flags['queue-url'] ?? '';
  let deadLetterUrl = flags['dlq-url'] ?? '';
  if (flags.endpoint) {
    const urlOf = async (name: string) => {
      try {
        return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
      } catch (error) {
        throw new UsageError(
          `no se encontró la cola ${name} en ${flags.endpoint}: ${(error as Error).message}`,
        );
      }
    };
    queueUrl = await urlOf(localName(queue));
    deadLetterUrl = await urlOf(`${localName(queue)}-dlq`);
  }
  const result = await redrive({ sqs, queueUrl, deadLetterUrl, dryRun: flags['dry-run'], max: flags.max });
  if (result.found === 0) {
    process.stdout.write('la cola de mensajes fallidos está vacía: nada que devolver.\n');
    return;
  }
  process.stdout.write(
    `${result.found} mensaje(s) en la cola de mensajes fallidos de ${queue}, por motivo:\n`,
  );
  for (const [reason, count] of [...result.reasons].sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`  ${count}  ${reason}\n`);
  }
  process.stdout.write(
    flags['dry-run']
      ? 'sin mover nada (--dry-run).\n'
      : `devueltos ${result.moved} mensaje(s) a ${queue}${result.moved < result.found ? `; ${result.found - result.moved} quedan en la DLQ (la cola no los aceptó)` : ''}.\n`,
  );
}

const COMMANDS = { validate, upload, status, retry, redrive: redriveCommand, token, model } as const;

function isCommand(name: string | undefined): name is keyof typeof COMMANDS {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

runMain(async () => {
  // As at the local start: the SDK's notice that its releases after January 2027 need Node.js 22 is
  // about the SDK, not the data team's files; a value set in the environment is kept.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [command, ...rest] = process.argv.slice(2);
  if (command === '--help' || command === '-h' || command === 'help') {
    // `help <command>` is that command's help (it exits 0); on its own, the list of commands.
    const [about] = rest;
    if (isCommand(about)) await COMMANDS[about](['--help']);
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (isCommand(command)) await COMMANDS[command](rest);
  else
    throw new UsageError(`${command ? `comando desconocido "${command}"` : 'falta el comando'}\n\n${USAGE}`);
});

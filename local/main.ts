/**
 * `npm start`: the whole SAN system on this machine, with no AWS account. Starts the stand-ins and
 * functions, loads demo data on first run, prints the endpoints, and stops cleanly on Ctrl-C.
 * State persists in the data folder across restarts; ingest that a previous process left half-done
 * (its queues lived in memory) is resumed at start and said in the log; `--reset` starts afresh.
 */
import { z } from 'zod';
import { ingestReportSchema } from '../functions/ingest/api/routes';
import { S3ObjectStore } from '../functions/shared/adapters/s3-object-store';
import { PILOT_COMUNAS } from '../functions/shared/domain/comunas';
import { cutKnowledgeDate } from '../functions/shared/domain/dates';
import { parseFlags, runMain, UsageError } from '../tools/lib/cli-args';
import { loadDemoData } from './demo-data';
import { bannerLines } from './demo-users';
import { driftLines } from './drift-lines';
import type { InvocationRecord } from './runtime';
import { LocalStateError, startLocalSystem, UnsafeResetError } from './runtime';

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(3000),
  'data-dir': z.string().min(1).default('.san-local'),
  reset: z.boolean().default(false),
  children: z.coerce.number().int().min(10).max(500_000).default(2_000),
  seed: z.coerce.number().int().min(0).default(42),
  cut: z
    .string()
    .refine((c) => cutKnowledgeDate(c) !== undefined, 'must be yyyy-mm')
    .default('2026-10'),
  auth: z.enum(['demo', 'token']).default('demo'),
  'exit-when-ready': z.boolean().default(false),
  'chunk-bytes': z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  verbose: z.boolean().default(false),
});

function describe(r: InvocationRecord): string {
  const head = `${r.ok ? '✓' : '✗'} ${r.functionId} (${r.trigger}) ${r.durationMs} ms`;
  if (!r.ok) return `${head}: ${r.error}`;
  const result = r.result as
    | {
        plans?: { objectKey: string; status: string; chunks?: number; buckets?: number }[];
        batchItemFailures?: unknown[];
      }
    | undefined;
  if (result?.plans) {
    return result.plans
      .map(
        (p) =>
          `${head}: ${p.objectKey} ${p.status}${p.chunks !== undefined ? ` into ${p.chunks} chunk(s), ${p.buckets} bucket(s)` : ''}`,
      )
      .join('\n');
  }
  if (result?.batchItemFailures && result.batchItemFailures.length > 0) {
    return `${head}: ${result.batchItemFailures.length} message(s) failed and will be retried`;
  }
  return head;
}

/** The ingest report written next to each file: the one `GET /v1/cuts/{cut}` answers too. */
const reportSchema = ingestReportSchema;

runMain(async () => {
  // The AWS SDK warns, once per process, that its releases after January 2027 need Node.js 22.
  // It is about the SDK's future, not this system (Lambda runs Node.js 22), so the local start
  // turns it off with the SDK's own switch; a value set in the environment is kept.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const flags = parseFlags(
    process.argv.slice(2),
    {
      port: { type: 'string', description: 'HTTP port of the API (default 3000; 0 = any free port)' },
      'data-dir': { type: 'string', description: 'where local state persists (default .san-local)' },
      reset: { type: 'boolean', description: 'delete the local state first' },
      children: { type: 'string', description: 'children in the demo population (default 2000)' },
      seed: { type: 'string', description: 'seed of the demo data (default 42)' },
      cut: { type: 'string', description: 'monthly cut of the demo data, yyyy-mm (default 2026-10)' },
      auth: {
        type: 'string',
        description: 'demo: requests without a token act as a demo administrator; token: require one',
      },
      'exit-when-ready': {
        type: 'boolean',
        description: 'stop once the demo data is processed (for checks)',
      },
      'chunk-bytes': {
        type: 'string',
        description: 'ingest chunk size in bytes (default 65536, to show the fan-out)',
      },
      verbose: { type: 'boolean', description: 'print every function invocation' },
    },
    schema,
    'usage: npm start -- [flags]',
  );
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  let local: Awaited<ReturnType<typeof startLocalSystem>>;
  try {
    local = await startLocalSystem({
      dataDir: flags['data-dir'],
      port: flags.port,
      reset: flags.reset,
      auth: flags.auth,
      log: out,
      envOverrides: {
        INGEST_CHUNK_BYTES: String(flags['chunk-bytes']),
        INGEST_REDUCE_BYTES: String(flags['chunk-bytes'] * 2),
      },
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (error instanceof UnsafeResetError || error instanceof LocalStateError)
      throw new UsageError(error.message);
    if (e.code === 'EADDRINUSE')
      throw new Error(`port ${flags.port} is in use; pass --port <other> (or --port 0)`);
    throw error;
  }
  local.onInvocation((r) => {
    if (flags.verbose || !r.ok || r.functionId === 'ingest') out(describe(r));
  });

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    out('\nstopping…');
    await local.stop();
    out(`stopped; state kept in ${flags['data-dir']}`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  out('Sistema de Alerta Niñez — local');
  out(`  API        ${local.apiUrl}`);
  out(`  DynamoDB   ${local.endpoints.dynamodb}   (dynalite)`);
  out(`  S3         ${local.endpoints.s3}   (s3rver; credentials S3RVER/S3RVER, path-style)`);
  out(`  SQS        ${local.endpoints.sqs}   (fauxqs)`);
  out(`  state      ${flags['data-dir']}${flags.reset ? ' (reset)' : ''}`);
  out(
    flags.auth === 'demo'
      ? '  auth       demo: requests without a token act as a demo administrador_central (loopback only)'
      : '  auth       token: every request needs Authorization: Bearer <token> (demo tokens below)',
  );

  const uploaded = await loadDemoData(local, { children: flags.children, seed: flags.seed, cut: flags.cut });
  if (uploaded.length > 0)
    out(`demo data: uploaded ${uploaded.join(', ')} (${flags.children} children, seed ${flags.seed})`);
  else out('demo data: extracts already present; not regenerated (use --reset to start afresh)');
  await local.whenIdle(300_000);
  // Also the files whose interrupted ingest this start resumed (see the lines above the banner).
  for (const key of new Set([...local.recovered, ...uploaded])) {
    const report = await new S3ObjectStore(local.clients.s3, local.names.buckets.raw).getJson(
      `${key}.report.json`,
      reportSchema,
    );
    if (!report) continue;
    out(
      report.status === 'accepted'
        ? `ingested ${key}: read ${report.rowsRead} = accepted ${report.accepted} + rejected ${report.rejected} + duplicates ${report.duplicates}`
        : `ingest of ${key} ${report.status}: ${report.error?.message ?? ''}`,
    );
  }
  // Which comuna and cut drifted (the drift reports scoring wrote); nothing when all are stable.
  const curated = new S3ObjectStore(local.clients.s3, local.names.buckets.curated);
  for (const line of await driftLines(curated, PILOT_COMUNAS)) out(line);
  await local.runSchedule('rosterSnapshot');

  for (const line of bannerLines(local.apiUrl, flags.auth, local.jwtKey)) out(line);
  if (flags['exit-when-ready']) await stop();
});

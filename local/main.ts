/**
 * `npm start`: the whole SAN system on this machine, with no AWS account. Starts the stand-ins and
 * functions, loads demo data on first run, prints the endpoints, and stops cleanly on Ctrl-C.
 * State persists in the data folder across restarts; ingest that a previous process left half-done
 * (its queues lived in memory) is resumed at start and said in the log; `--reset` starts afresh.
 */
import { z } from 'zod';
import { S3ObjectStore } from '../functions/ingest/adapters/s3-object-store';
import { ingestReportSchema } from '../functions/ingest/api/routes';
import { cutKnowledgeDate } from '../functions/shared/domain/dates';
import { parseFlags, runMain, UsageError } from '../tools/lib/cli-args';
import { signToken } from './auth';
import { loadDemoData } from './demo-data';
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
      : '  auth       token: send Authorization: Bearer <token>',
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
  await local.runSchedule('rosterSnapshot');

  const coordinator = signToken(local.jwtKey, {
    sub: 'coordinador-13101',
    'custom:role': 'coordinador',
    'custom:comunas': '13101',
  });
  out('\nready. Try:');
  out(`  curl ${local.apiUrl}/v1/comunas/13101/roster?limit=5`);
  out(`  curl -H 'Authorization: Bearer ${coordinator}' ${local.apiUrl}/v1/comunas/13101/roster?limit=5`);
  out(
    `  curl -X POST ${local.apiUrl}/v1/alerts -H 'content-type: application/json' -d '{"run":"22.222.222-2","comuna":"13101","riskFactor":"situacion_de_calle","description":"Niño visto pernoctando en la plaza","urgent":true,"reporter":{"institution":"CESFAM Santiago"}}'`,
  );
  out('Ctrl-C stops.');
  if (flags['exit-when-ready']) await stop();
});

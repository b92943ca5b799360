/**
 * `npm run bench:tasks`: how long each invocation of the cloud ingest path takes, against the
 * Lambda limits the system definition gives its functions.
 *
 * A registry extract is generated to a file and every task runs on it in a child process, one after
 * another on one core, at the deployed chunk and bucket sizes: the plan (one streaming pass over
 * the whole file), each chunk task, each reduce task, the finalize and each publish task. Chunk,
 * reduce and publish tasks are bounded by those sizes whatever the file's size; the plan grows with
 * the file, so its scan rate is extrapolated to the largest file of a national cut. Lambda gives a
 * function CPU in proportion to its memory (one vCPU at 1,769 MB), so each time is also shown
 * scaled to the function's share. Each task's CPU time is shown too: on a machine that other work shares, it is
 * the figure that compares between runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_WRITES_IN_FLIGHT } from '../../functions/identity/adapters/dynamo-identity-store';
import { system } from '../../infra/system';
import { generateCut } from '../generate/generator';
import { parseFlags, runMain } from '../lib/cli-args';
import { manifestPath } from './file-stores';

const schema = z.object({
  rows: z.coerce.number().int().min(10_000).max(20_000_000).default(1_000_000),
  'national-gb': z.coerce.number().positive().max(100).default(3.5),
  seed: z.coerce.number().int().min(0).default(1),
});

const measured = z.object({
  rows: z.number(),
  accepted: z.number(),
  identities: z.number(),
  bytes: z.number(),
  plan: z.number(),
  chunks: z.array(z.number()),
  reduces: z.array(z.number()),
  publishes: z.array(z.number()),
  identitiesPerPublish: z.array(z.number()),
  finalize: z.number(),
  /** CPU seconds of each task, by kind (`plan`, `chunk`, `reduce`, …). */
  cpu: z.record(z.string(), z.array(z.number())),
  maxRssMb: z.number(),
});

/**
 * The identity writes of the largest publish task. This benchmark sends them to a stand-in that
 * answers at once, so their time on DynamoDB is estimated from the number of calls at 10–30 ms a
 * call.
 */
function identityNote(identities: number): string {
  const rounds = Math.ceil(identities / DEFAULT_WRITES_IN_FLIGHT);
  return (
    `The largest publish task wrote ${identities.toLocaleString('en')} identities: as many conditional PutItem ` +
    `calls, ${DEFAULT_WRITES_IN_FLIGHT} in flight. At 10–30 ms a call (an estimate, not measured here) their ` +
    `latency alone would take ${((rounds * 10) / 1000).toFixed(0)}–${((rounds * 30) / 1000).toFixed(0)} s; ` +
    "it overlaps with the task's CPU time above, most of which is the SDK's cost of each call."
  );
}

/** Memory at which Lambda allocates one full vCPU. */
const FULL_VCPU_MB = 1769;

function sizeOf(name: 'INGEST_CHUNK_BYTES' | 'INGEST_REDUCE_BYTES'): number {
  const value = system.functions.ingestWorker.environment[name];
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new Error(`${name} is not a byte count`);
  return Number(value);
}

runMain(async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      rows: { type: 'string', description: 'children in the generated registry extract (default 1000000)' },
      'national-gb': {
        type: 'string',
        description: "size in GB of a national cut's largest file, for the plan's estimate (default 3.5)",
      },
      seed: { type: 'string', description: 'generator seed (default 1)' },
    },
    schema,
    'usage: npm run bench:tasks -- [flags]',
  );
  const chunkBytes = sizeOf('INGEST_CHUNK_BYTES');
  const reduceBytes = sizeOf('INGEST_REDUCE_BYTES');
  const dir = mkdtempSync(join(tmpdir(), 'san-tasks-'));
  let m: z.infer<typeof measured>;
  try {
    const cut = generateCut({ children: flags.rows, seed: flags.seed, cut: '2026-10', sources: ['rsh'] });
    const bytes = cut.files[0]?.bytes;
    if (!bytes) throw new Error('the generator wrote no file');
    const file = join(dir, 'rsh.csv');
    writeFileSync(file, bytes);
    writeFileSync(manifestPath(file), JSON.stringify(cut.manifest));
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve('tools/bench/ingest-tasks.ts'),
        file,
        dir,
        String(chunkBytes),
        String(reduceBytes),
      ],
      {
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    m = measured.parse(JSON.parse(out.trim().split('\n').at(-1) ?? ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const planner = system.functions.ingest;
  const worker = system.functions.ingestWorker;
  const share = (memoryMb: number): number => Math.min(1, memoryMb / FULL_VCPU_MB);
  const row = (
    task: string,
    kind: string,
    count: number,
    longest: number,
    fn: { memoryMb: number; timeoutSeconds: number },
  ) => {
    const onLambda = longest / share(fn.memoryMb);
    const cpuLongest = Math.max(...(m.cpu[kind] ?? [Number.NaN]));
    return (
      `| ${task} | ${count} | ${longest.toFixed(2)} | ${cpuLongest.toFixed(2)} | ${onLambda.toFixed(1)} | ` +
      `${fn.timeoutSeconds} | ${((100 * onLambda) / fn.timeoutSeconds).toFixed(1)}% |`
    );
  };
  const mbPerSecond = m.bytes / 1e6 / m.plan;
  const nationalPlan = (flags['national-gb'] * 1000) / mbPerSecond;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      `Ingest tasks, ${new Date().toISOString().slice(0, 10)}, ${cpu}, ${cpus().length} cores, ` +
        `${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`,
      '',
      `Registry extract: ${m.rows.toLocaleString('en')} rows, ${(m.bytes / 1024 ** 2).toFixed(0)} MiB; ` +
        `${m.accepted.toLocaleString('en')} accepted, ${m.identities.toLocaleString('en')} identities written ` +
        'to a DynamoDB stand-in that answers at once. ' +
        `Chunks of ${chunkBytes / 1024 ** 2} MiB, reduce buckets of ${reduceBytes / 1024 ** 2} MiB of input.`,
      '',
      "| task | count | longest here (s) | longest CPU time here (s) | longest at the function's CPU share (s) | Lambda timeout (s) | share of the timeout |",
      '|---|---:|---:|---:|---:|---:|---:|',
      row('plan (ingest)', 'plan', 1, m.plan, planner),
      row('chunk (ingestWorker)', 'chunk', m.chunks.length, Math.max(...m.chunks), worker),
      row('reduce (ingestWorker)', 'reduce', m.reduces.length, Math.max(...m.reduces), worker),
      row('finalize (ingestWorker)', 'finalize', 1, m.finalize, worker),
      row('publish (ingestWorker)', 'publish', m.publishes.length, Math.max(...m.publishes), worker),
      '',
      `Plan scan rate ${mbPerSecond.toFixed(0)} MB/s; a ${flags['national-gb']} GB file would take ` +
        `${nationalPlan.toFixed(0)} s here, ${(nationalPlan / share(planner.memoryMb)).toFixed(0)} s at the ` +
        `planner's CPU share, against its ${planner.timeoutSeconds} s timeout.`,
      identityNote(Math.max(...m.identitiesPerPublish)),
      'Wall times grow with whatever else runs on the machine; CPU times (every thread of the process) do not. ' +
        `Load average at the end: ${loadavg()
          .map((l) => l.toFixed(1))
          .join(', ')}.`,
      `Peak RSS of the process that ran every task: ${m.maxRssMb.toFixed(0)} MB ` +
        `(planner memory ${planner.memoryMb} MB, worker memory ${worker.memoryMb} MB).`,
      '',
    ].join('\n'),
  );
});

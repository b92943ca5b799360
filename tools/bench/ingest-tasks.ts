/**
 * Child process of `npm run bench:tasks`: runs every task of the cloud ingest path on one file, one
 * after another on one core, with the buckets kept in a directory, and prints how long each task
 * took, the plan's scan rate and the process's peak RSS as JSON.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { finalizeRun, planRun, processChunk, reduceBucket } from '../../functions/ingest/domain/ingest-run';
import type { IngestTask } from '../../functions/ingest/domain/ports';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { DirectoryObjectStore, MemoryRunStore, uploadStore } from './file-stores';

const [file, dir, chunkBytes, reduceBytes] = process.argv.slice(2);
if (!file || !dir || !chunkBytes || !reduceBytes) {
  throw new Error('usage: ingest-tasks.ts <file> <dir> <chunkBytes> <reduceBytes>');
}
const key = 'extracts/2026-10/rsh.csv';
const queued: IngestTask[] = [];
let identities = 0;
const deps = {
  raw: uploadStore(key, file),
  work: new DirectoryObjectStore(join(dir, 'work')),
  curated: new DirectoryObjectStore(join(dir, 'curated')),
  runs: new MemoryRunStore(),
  tasks: { sendAll: async (t: readonly IngestTask[]) => void queued.push(...t) },
  identities: {
    putAll: async (records: readonly unknown[]) => {
      identities += records.length;
    },
  },
  scoreRequests: { sendAll: async () => undefined },
  pseudonymiser: createPseudonymiser(createHash('sha256').update('bench').digest('hex')),
  extractsPrefix: 'extracts/',
  sizes: { chunkBytes: Number(chunkBytes), reduceBytes: Number(reduceBytes) },
};

const seconds = async (work: () => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
};

let outcome: Awaited<ReturnType<typeof planRun>> | undefined;
const plan = await seconds(async () => {
  outcome = await planRun(deps, key);
});
if (outcome?.status !== 'planned') throw new Error(`plan failed: ${JSON.stringify(outcome)}`);
const chunks: number[] = [];
const reduces: number[] = [];
const identitiesPerReduce: number[] = [];
const finalize: number[] = [];
// Tasks run in the order the queue received them, as workers would take them.
for (let next = queued.shift(); next; next = queued.shift()) {
  const task = next;
  if (task.type === 'chunk') chunks.push(await seconds(() => processChunk(deps, task.runId, task.index)));
  else if (task.type === 'reduce') {
    const before = identities;
    reduces.push(await seconds(() => reduceBucket(deps, task.runId, task.bucket)));
    identitiesPerReduce.push(identities - before);
  } else {
    finalize.push(
      await seconds(async () => {
        const report = await finalizeRun(deps, task.runId);
        if (report.status !== 'accepted') throw new Error(`run ended ${report.status}`);
        if (report.rowsRead !== report.accepted + report.rejected + report.duplicates) {
          throw new Error('rows read are not accepted + rejected + duplicates');
        }
      }),
    );
  }
}
const runs = [...deps.runs.runs.values()];
const report = runs[0]?.report;
if (!report || finalize.length !== 1) throw new Error('the run did not finish');
process.stdout.write(
  `${JSON.stringify({
    rows: report.rowsRead,
    accepted: report.accepted,
    identities,
    bytes: statSync(file).size,
    plan,
    chunks,
    reduces,
    identitiesPerReduce,
    finalize: finalize[0],
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);

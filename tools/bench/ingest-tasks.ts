/**
 * Child process of `npm run bench:tasks`: runs every task of the cloud ingest path on one file, one
 * after another on one core, with the buckets kept in a directory, and prints how long each task
 * took (wall and CPU time), the plan's scan rate and the process's peak RSS as JSON. Identities go
 * through the DynamoDB identity store to a stand-in that takes every write at once
 * (`instant-dynamo.ts`): the publish tasks pay the SDK's cost of each call, not the network's
 * latency.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoIdentityStore } from '../../functions/identity/adapters/dynamo-identity-store';
import type { IdentityRecord } from '../../functions/identity/domain/identity';
import type { IngestTask } from '../../functions/ingest/domain/ports';
import { processChunk } from '../../functions/ingest/domain/run/chunk';
import { finalizeRun } from '../../functions/ingest/domain/run/finalize';
import { planRun } from '../../functions/ingest/domain/run/plan';
import { publishPart } from '../../functions/ingest/domain/run/publish';
import { reduceBucket } from '../../functions/ingest/domain/run/reduce';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { DirectoryObjectStore, MemoryRunStore, uploadStore } from './file-stores';
import { startInstantDynamo } from './instant-dynamo';

const [file, dir, chunkBytes, reduceBytes] = process.argv.slice(2);
if (!file || !dir || !chunkBytes || !reduceBytes) {
  throw new Error('usage: ingest-tasks.ts <file> <dir> <chunkBytes> <reduceBytes>');
}
const key = 'extracts/2026-10/rsh.csv';
const queued: IngestTask[] = [];
let identities = 0;
const dynamo = await startInstantDynamo();
const identityStore = new DynamoIdentityStore(dynamo.client, 'identities');
const deps = {
  raw: uploadStore(key, file),
  work: new DirectoryObjectStore(join(dir, 'work')),
  curated: new DirectoryObjectStore(join(dir, 'curated')),
  runs: new MemoryRunStore(),
  tasks: { sendAll: async (t: readonly IngestTask[]) => void queued.push(...t) },
  identities: {
    putAll: async (records: AsyncIterable<IdentityRecord> | Iterable<IdentityRecord>) => {
      const counts = await identityStore.putAll(records);
      identities += counts.written + counts.olderThanStored;
      return counts;
    },
  },
  scoreRequests: { sendAll: async () => undefined },
  pseudonymiser: createPseudonymiser(createHash('sha256').update('bench').digest('hex')),
  extractsPrefix: 'extracts/',
  sizes: { chunkBytes: Number(chunkBytes), reduceBytes: Number(reduceBytes) },
};

/**
 * CPU seconds (user and system, every thread of the process) of each task, by kind: on a machine
 * that other work shares, wall time grows with the load and CPU time does not.
 */
const cpu: Record<string, number[]> = {};

/** Runs one task; returns its wall seconds and records its CPU seconds under `kind`. */
const seconds = async (kind: string, work: () => Promise<unknown>): Promise<number> => {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await work();
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpuBefore);
  cpu[kind] = [...(cpu[kind] ?? []), (used.user + used.system) / 1e6];
  return wall;
};

let outcome: Awaited<ReturnType<typeof planRun>> | undefined;
const plan = await seconds('plan', async () => {
  outcome = await planRun(deps, key);
});
if (outcome?.status !== 'planned') throw new Error(`plan failed: ${JSON.stringify(outcome)}`);
const chunks: number[] = [];
const reduces: number[] = [];
const publishes: number[] = [];
const identitiesPerPublish: number[] = [];
const finalize: number[] = [];
// Tasks run in the order the queue received them, as workers would take them.
for (let next = queued.shift(); next; next = queued.shift()) {
  const task = next;
  if (task.type === 'chunk')
    chunks.push(await seconds('chunk', () => processChunk(deps, task.runId, task.index)));
  else if (task.type === 'reduce')
    reduces.push(await seconds('reduce', () => reduceBucket(deps, task.runId, task.bucket)));
  else if (task.type === 'publish') {
    const before = identities;
    publishes.push(await seconds('publish', () => publishPart(deps, task.runId, task.bucket, task.part)));
    identitiesPerPublish.push(identities - before);
  } else {
    finalize.push(
      await seconds('finalize', async () => {
        const report = await finalizeRun(deps, task.runId);
        if (report.status !== 'accepted') throw new Error(`run refused: ${report.error?.message}`);
        if (report.rowsRead !== report.accepted + report.rejected + report.duplicates) {
          throw new Error('rows read are not accepted + rejected + duplicates');
        }
      }),
    );
  }
}
dynamo.stop();
const runs = [...deps.runs.runs.values()];
const report = runs[0]?.report;
if (!report || runs[0]?.status !== 'done' || finalize.length !== 1) throw new Error('the run did not finish');
process.stdout.write(
  `${JSON.stringify({
    rows: report.rowsRead,
    accepted: report.accepted,
    identities,
    bytes: statSync(file).size,
    plan,
    chunks,
    reduces,
    publishes,
    identitiesPerPublish,
    finalize: finalize[0],
    cpu,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);

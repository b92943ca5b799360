/**
 * Child process of `npm run bench:ingest`: runs the cloud ingest path's planner and every chunk task
 * on one file, on one core, and prints rows, seconds and peak RSS as JSON.
 */
import { createHash } from 'node:crypto';
import type { IngestTask } from '../../functions/ingest/domain/ports';
import { processChunk } from '../../functions/ingest/domain/run/chunk';
import { planRun } from '../../functions/ingest/domain/run/plan';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { CountingStore, MemoryRunStore, uploadStore } from './file-stores';

const [file, chunkBytes] = process.argv.slice(2);
if (!file || !chunkBytes) throw new Error('usage: ingest-ours.ts <file> <chunkBytes>');
const key = 'extracts/2026-10/rsh.csv';
const tasks: IngestTask[] = [];
const work = new CountingStore();
const runs = new MemoryRunStore();
const deps = {
  raw: uploadStore(key, file),
  work,
  curated: new CountingStore(),
  runs,
  tasks: { sendAll: async (t: readonly IngestTask[]) => void tasks.push(...t) },
  identities: { putAll: async () => ({ written: 0, olderThanStored: 0 }) },
  scoreRequests: { sendAll: async () => undefined },
  pseudonymiser: createPseudonymiser(createHash('sha256').update('bench').digest('hex')),
  extractsPrefix: 'extracts/',
  sizes: { chunkBytes: Number(chunkBytes), reduceBytes: 64 * 1024 ** 2 },
};
const started = process.hrtime.bigint();
const plan = await planRun(deps, key);
if (plan.status !== 'planned') throw new Error(`plan failed: ${JSON.stringify(plan)}`);
const planned = process.hrtime.bigint();
let rows = 0;
for (const task of tasks.filter((t) => t.type === 'chunk')) {
  await processChunk(deps, task.runId, task.index);
}
for (const [k, v] of work.json) if (k.includes('/chunk-stats/')) rows += (v as { rowsRead: number }).rowsRead;
const finished = process.hrtime.bigint();
process.stdout.write(
  `${JSON.stringify({
    rows,
    chunks: plan.chunks,
    planSeconds: Number(planned - started) / 1e9,
    seconds: Number(finished - started) / 1e9,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    shuffledBytes: work.bytesWritten,
  })}\n`,
);

/**
 * Child process of `npm run bench:planner-memory`: plans one gzip upload with the real planner
 * (chunk objects counted and dropped) and prints its outcome, seconds and peak RSS as JSON.
 */
import { createHash } from 'node:crypto';
import type { IngestTask } from '../../functions/ingest/domain/ports';
import { planRun } from '../../functions/ingest/domain/run/plan';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { CountingStore, MemoryRunStore, uploadStore } from './file-stores';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: planner-memory-plan.ts <file>');
const key = 'extracts/2026-10/rsh.csv.gz';
const work = new CountingStore();
const tasks: IngestTask[] = [];
const started = process.hrtime.bigint();
const plan = await planRun(
  {
    raw: uploadStore(key, file),
    work,
    curated: new CountingStore(),
    runs: new MemoryRunStore(),
    tasks: { sendAll: async (t: readonly IngestTask[]) => void tasks.push(...t) },
    identities: { putAll: async () => ({ written: 0, olderThanStored: 0 }) },
    scoreRequests: { sendAll: async () => undefined },
    pseudonymiser: createPseudonymiser(createHash('sha256').update('bench').digest('hex')),
    extractsPrefix: 'extracts/',
    readOptions: { maxFieldChars: 4096, maxDecompressedBytes: 64 * 1024 ** 3 },
  },
  key,
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const outcome =
  plan.status === 'planned'
    ? `planned, ${plan.chunks} chunk(s), ${(work.bytesWritten / 1024).toFixed(0)} KiB stored`
    : `${plan.status}: ${plan.report?.error?.problem ?? ''}`;
process.stdout.write(
  `${JSON.stringify({ outcome, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);

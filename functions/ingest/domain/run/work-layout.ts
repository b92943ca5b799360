/**
 * Where a run keeps its work and what those objects hold: the keys in the work bucket (plan,
 * chunks, shuffle parts, statistics, held identities) and next to the upload in the raw bucket,
 * and the schemas that each stage reads back what an earlier one wrote with.
 */
import { z } from 'zod';
import type { ObjectStore } from '../../../shared/domain/object-store';
import { emptyEncodingTally } from '../line-decoder';
import { manifestCheckSchema } from '../manifest';

/** Working objects of a run (in the work bucket, which expires them). */
export const workKeys = {
  plan: (runId: string): string => `runs/${runId}/plan.json`,
  chunk: (runId: string, index: number): string => `runs/${runId}/chunks/${pad(index)}.csv`,
  shuffle: (runId: string, bucket: number, index: number, part: number): string =>
    `runs/${runId}/shuffle/${pad(bucket)}/${pad(index)}-${pad(part)}.tsv`,
  shufflePrefix: (runId: string, bucket: number): string => `runs/${runId}/shuffle/${pad(bucket)}/`,
  chunkStats: (runId: string, index: number): string => `runs/${runId}/chunk-stats/${pad(index)}.json`,
  bucketStats: (runId: string, bucket: number): string => `runs/${runId}/bucket-stats/${pad(bucket)}.json`,
  open: (runId: string, index: number, part: number): string =>
    `runs/${runId}/open/${pad(index)}-${pad(part)}.ndjson`,
  openPrefix: (runId: string): string => `runs/${runId}/open/`,
  seen: (runId: string, index: number, part: number): string =>
    `runs/${runId}/seen/${pad(index)}-${pad(part)}.txt`,
  seenPrefix: (runId: string): string => `runs/${runId}/seen/`,
  /** Rows the plan itself rejected (lines over the record limit, in no chunk), counted like a chunk's. */
  planStats: (runId: string): string => `runs/${runId}/plan-stats.json`,
  /**
   * A reduce bucket's identities in parts of at most `IDENTITY_PART_CHARS`, held here until the run
   * is accepted; each part is then one publish task.
   */
  identities: (runId: string, bucket: number, part: number): string =>
    `runs/${runId}/identities/${pad(bucket)}/${pad(part)}.ndjson`,
  /** What finalize accepted (report and quality report), promoted once every part is published. */
  accepted: (runId: string): string => `runs/${runId}/accepted/report.json`,
  acceptedOpen: (runId: string): string => `runs/${runId}/accepted/open.ndjson`,
  publishStats: (runId: string, bucket: number, part: number): string =>
    `runs/${runId}/publish-stats/${pad(bucket)}-${pad(part)}.json`,
};

/** Objects written next to the upload in the raw bucket. */
export const rawKeys = {
  report: (objectKey: string): string => `${objectKey}.report.json`,
  quarantine: (objectKey: string, index: number, part: number): string =>
    `${objectKey}.rejected/${pad(index)}-${pad(part)}.ndjson`,
  planQuarantine: (objectKey: string): string => `${objectKey}.rejected/plan.ndjson`,
};

function pad(n: number): string {
  return String(n).padStart(5, '0');
}

export const layoutSchema = z.object({
  encoding: z.enum(['utf-8', 'windows-1252']),
  delimiter: z.enum([';', ',']),
  gzip: z.boolean(),
  header: z.array(z.string()),
  columns: z.array(z.string().nullable()),
  unknownColumns: z.array(z.string()),
});

export const planSchema = z.object({
  runId: z.string(),
  objectKey: z.string(),
  cut: z.string(),
  source: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  /** SHA-256 and size of the object as uploaded (compressed, for gzip), checked against the manifest. */
  uploadSha256: z.string(),
  uploadBytes: z.number(),
  layout: layoutSchema,
  bucketCount: z.number().int().min(1),
  /** `SHUFFLE_FORMAT` of the code that made the plan (plans from before it was recorded: 1). */
  shuffleFormat: z.number().int().default(1),
  /** Open inconsistencies of the source's latest earlier cut, to carry those not corrected. */
  previousOpen: z.string().nullable(),
  chunks: z.array(
    z.object({
      /** Bucket holding the chunk's bytes: the upload itself, or the work bucket for gzip. */
      in: z.enum(['raw', 'work']),
      key: z.string(),
      start: z.number(),
      end: z.number(),
      firstLine: z.number(),
    }),
  ),
  /** Records the plan counted (malformed ones included); the chunks must read as many. */
  records: z.number().int().optional(),
  /** What was checked against the cut's manifest (plans from before it was recorded: absent). */
  manifest: manifestCheckSchema.optional(),
  startedAt: z.string(),
});
export type IngestPlan = z.infer<typeof planSchema>;

const itemCountSchema = z.object({ applicable: z.number(), met: z.number() });
const tallySchema = z.record(
  z.string(),
  z.object({
    rows: z.number(),
    rejected: z.number(),
    duplicates: z.number(),
    carried: z.number(),
    completeness: z.record(z.string(), itemCountSchema),
    timeliness: z.record(z.string(), itemCountSchema),
  }),
);

const encodingTallySchema = z.object({
  windows1252Lines: z.number(),
  windows1252At: z.array(z.number()),
  utf8Lines: z.number(),
  utf8At: z.array(z.number()),
  sawUtf8: z.boolean(),
});

export const chunkStatsSchema = z.object({
  rowsRead: z.number(),
  rejected: z.number(),
  rejectionsByReason: z.record(z.string(), z.number()),
  quarantine: z.array(z.string()),
  quality: tallySchema,
  /** Malformed records (quotes, NUL bytes, length) among the rejected; absent before it was counted. */
  structural: z.number().default(0),
  fieldTooLong: z.number().default(0),
  encoding: encodingTallySchema.default(emptyEncodingTally),
});
export type ChunkStats = z.input<typeof chunkStatsSchema>;

export const bucketStatsSchema = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  acceptedByComuna: z.record(z.string(), z.number()),
  duplicatesByQualityKey: z.record(z.string(), z.number()),
  /** Parts of the bucket's identities in the work bucket (none from reducers that wrote them out). */
  identityParts: z.number().int().min(0).default(0),
});

/**
 * Size of a part of a bucket's held identities, which one publish task writes. Each identity is a
 * DynamoDB call costing the SDK up to 1.45 ms of CPU (`BENCHMARKS.md`); an identity line has at
 * least ~100 characters, so a part of 4 Mi characters holds at most ~42,000 identities, about a
 * minute of CPU. A whole bucket of a national registry holds ~480,000, more than the timeout.
 */
export const IDENTITY_PART_CHARS = 4 * 1024 * 1024;

/** The plan of a run, which every task reads first. */
export async function loadPlan(work: ObjectStore, runId: string): Promise<IngestPlan> {
  const plan = await work.getJson(workKeys.plan(runId), planSchema);
  if (!plan) throw new Error(`run ${runId} has no plan`);
  return plan;
}

/** What ingest needs from the outside world; S3, DynamoDB and SQS adapters implement these. */
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { FileProblem } from './csv-reader';
import type { IngestReport } from './report';
import type { IdentityRecord } from './row-processor';

/** One bucket. */
export interface ObjectStore {
  /** The object's body (or a byte range of it, end exclusive), or undefined if it does not exist. */
  open(key: string, range?: { start: number; end: number }): Promise<Readable | undefined>;
  getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined>;
  putJson(key: string, value: unknown): Promise<void>;
  /**
   * Writes NDJSON: the lines as strings, or as their UTF-8 bytes with every line ended by `\n`
   * (the same object either way).
   */
  putLines(key: string, lines: readonly string[] | Buffer): Promise<void>;
  putBytes(key: string, bytes: Buffer): Promise<void>;
  /** Keys under `prefix`, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
}

/** How many of the records handed to `IdentityStore.putAll` were written, and how many were not. */
export interface IdentityWriteCounts {
  readonly written: number;
  /**
   * Records not written because the store holds the child's record from the same source of a later
   * cut: an old cut uploaded late does not replace what is current.
   */
  readonly olderThanStored: number;
}

export interface IdentityStore {
  /**
   * Writes each record unless the store holds the same child and source from a later cut (a record
   * of the same or an earlier cut, or none, is replaced). Records are read as they are written, so
   * a stream of any length is held only a few at a time.
   */
  putAll(identities: Iterable<IdentityRecord> | AsyncIterable<IdentityRecord>): Promise<IdentityWriteCounts>;
}

export interface ScoreRequest {
  readonly cut: string;
  readonly comuna: string;
}

export interface ScoreRequestQueue {
  sendAll(requests: readonly ScoreRequest[]): Promise<void>;
}

export type IngestTask =
  | { readonly type: 'chunk'; readonly runId: string; readonly index: number }
  | { readonly type: 'reduce'; readonly runId: string; readonly bucket: number }
  | { readonly type: 'finalize'; readonly runId: string }
  | { readonly type: 'publish'; readonly runId: string; readonly bucket: number; readonly part: number };

export interface IngestTaskQueue {
  sendAll(tasks: readonly IngestTask[]): Promise<void>;
}

/**
 * `processing` (plan, chunk and reduce tasks), then either `rejected`, or `publishing` once finalize
 * has accepted the run (its identities are being written), then `done` when it is promoted.
 */
export type RunStatus = 'processing' | 'publishing' | 'done' | 'rejected';

/** The progress record of one ingest run (one file's content). */
export interface IngestRun {
  readonly runId: string;
  readonly objectKey: string;
  readonly cut: string;
  readonly source: string;
  readonly status: RunStatus;
  readonly chunkCount: number;
  readonly bucketCount: number;
  readonly chunksDone: number;
  readonly bucketsDone: number;
  /** Identity parts to publish once the run is accepted (0 until then). */
  readonly publishTotal: number;
  /** Identity parts written to the identity store. */
  readonly partsPublished: number;
  readonly bytes: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** First file-level problem found by a chunk, if any: the run ends rejected. */
  readonly failure?: { readonly problem: FileProblem; readonly message: string };
  readonly report?: IngestReport;
}

/** A run as it is created: nothing of it is published yet. */
export type NewIngestRun = Omit<IngestRun, 'publishTotal' | 'partsPublished'>;

export interface RunStore {
  get(runId: string): Promise<IngestRun | undefined>;
  /** Creates the run unless one with its id exists. */
  create(run: NewIngestRun): Promise<'created' | 'exists'>;
  /** Records a chunk as done (idempotent); returns how many distinct chunks are done. */
  chunkDone(runId: string, index: number): Promise<number>;
  bucketDone(runId: string, bucket: number): Promise<number>;
  /**
   * Moves an accepted run from `processing` to `publishing`, with the number of identity parts it
   * has to publish; false (and no change) when the run is not processing or has a failure recorded.
   */
  startPublishing(runId: string, parts: number): Promise<boolean>;
  /** Records an identity part as written (idempotent); returns how many distinct parts are. */
  partPublished(runId: string, bucket: number, part: number): Promise<number>;
  /** Records the first file-level failure of the run. */
  fail(runId: string, failure: { problem: FileProblem; message: string }): Promise<void>;
  finish(runId: string, status: 'done' | 'rejected', report: IngestReport): Promise<void>;
  /** Runs of a cut, for progress displays. */
  ofCut(cut: string): Promise<IngestRun[]>;
}

/** Curated layout: one folder per run, promoted by `_SUCCESS.json` once the run is complete. */
export const curatedKeys = {
  part: (cut: string, source: string, runId: string, comuna: string, bucket: number, part: number): string =>
    `cut=${cut}/source=${source}/run=${runId}/comuna=${comuna}/part-${pad(bucket)}-${pad(part)}.ndjson`,
  comunaPrefix: (cut: string, source: string, runId: string, comuna: string): string =>
    `cut=${cut}/source=${source}/run=${runId}/comuna=${comuna}/`,
  success: (cut: string, source: string): string => `cut=${cut}/source=${source}/_SUCCESS.json`,
};

/** Data-quality reports, one per cut and source, in the curated bucket. */
export const qualityKeys = {
  report: (cut: string, source: string): string => `quality/${cut}/${source}.json`,
  /** Pseudonymous list of the source's completeness inconsistencies still open after the cut. */
  open: (cut: string, source: string): string => `quality/${cut}/${source}.open.ndjson`,
  cutPrefix: (cut: string): string => `quality/${cut}/`,
  yearPrefix: (year: string): string => `quality/${year}-`,
};

function pad(n: number): string {
  return String(n).padStart(5, '0');
}

/** What ingest needs from the outside world; S3, DynamoDB and SQS adapters implement these. */
import type { IdentityStore } from '../../identity/domain/identity';
import type { FileProblem } from './csv-reader';
import type { IngestReport } from './report';

/** Ingest only writes identities, once a run is accepted; the identity feature owns the store. */
export type IdentityWriter = Pick<IdentityStore, 'putAll'>;

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

/**
 * What every stage of an ingest run is given: the stores, queues and key, and the sizes it splits
 * by. A run is a fan-out of small tasks over a queue, one module per stage:
 *
 * 1. `plan.ts` (on upload, with the streaming pass of `plan-scan.ts`): header against the contract,
 *    the encoding of every line, content hash, and chunks split at record boundaries.
 * 2. `chunk.ts` (one task per chunk): rows validated and pseudonymised, rejected ones quarantined,
 *    accepted ones shuffled to buckets by child (`shuffle-format.ts`).
 * 3. `reduce.ts` (one task per bucket): duplicates dropped, curated records written per comuna
 *    under the run's own folder, identities held in the work bucket (`work-layout.ts`).
 * 4. `finalize.ts`: the report summed (with the ICI carry-over of `carry-over.ts`), the run
 *    accepted or refused; `failure.ts` is the one way any task ends a run that cannot go on.
 * 5. `publish.ts` (one task per identity part): identities written, then the run promoted.
 *
 * Readers only follow `_SUCCESS.json`, and identities are written only once the run is accepted,
 * so nothing of a failed, refused or half-finished run is seen. Every task is idempotent:
 * redelivered messages rewrite the same objects and count once.
 */

import type { ObjectStore } from '../../../shared/domain/object-store';
import type { Pseudonymiser } from '../../../shared/domain/pseudonym';
import type { ReadOptions } from '../csv-reader';
import type { IdentityWriter, IngestTaskQueue, RunStore, ScoreRequestQueue } from '../ports';

export interface IngestSizes {
  /** Target size of a chunk (one task), in bytes. */
  readonly chunkBytes: number;
  /** Target size of a reduce bucket, in bytes of input. */
  readonly reduceBytes: number;
}

export const DEFAULT_SIZES: IngestSizes = { chunkBytes: 32 * 1024 ** 2, reduceBytes: 64 * 1024 ** 2 };

export interface IngestRunDeps {
  readonly raw: ObjectStore;
  readonly work: ObjectStore;
  readonly curated: ObjectStore;
  readonly runs: RunStore;
  readonly tasks: IngestTaskQueue;
  readonly identities: IdentityWriter;
  readonly scoreRequests: ScoreRequestQueue;
  readonly pseudonymiser: Pseudonymiser;
  readonly extractsPrefix: string;
  readonly sizes?: IngestSizes;
  readonly readOptions?: ReadOptions;
  readonly now?: () => Date;
  /** Minutes without progress after which a run counts as stalled (see `run-stall.ts`). */
  readonly stallMinutes?: number;
}

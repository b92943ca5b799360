/**
 * IdentityStore on DynamoDB: personal data keyed by pseudonym and source (each source keeps its own
 * record of the child), written in batches of 25 with several batches in flight.
 *
 * A reduce task of a national cut writes some hundreds of thousands of identities: one batch at a
 * time, at DynamoDB's 10–30 ms a call, that alone would come near the worker's timeout. Items the
 * table throttles come back as unprocessed and are written again after a growing, jittered pause.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { IdentityRecord } from '../domain/ingest-extract';
import type { IdentityStore } from '../domain/ports';

const BATCH = 25;

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Batches written at once unless the options say otherwise. */
export const DEFAULT_BATCHES_IN_FLIGHT = 8;

export interface IdentityWriteOptions {
  /** Batches written at once. @default DEFAULT_BATCHES_IN_FLIGHT */
  readonly inFlight?: number;
  /** Calls per batch before giving up on items the table keeps throttling. @default 10 */
  readonly maxAttempts?: number;
  /** First pause before writing unprocessed items again, doubled on each attempt. @default 50 */
  readonly baseDelayMs?: number;
}

export class DynamoIdentityStore implements IdentityStore {
  private readonly inFlight: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: IdentityWriteOptions = {},
  ) {
    this.inFlight = options.inFlight ?? DEFAULT_BATCHES_IN_FLIGHT;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.baseDelayMs = options.baseDelayMs ?? 50;
  }

  async putAll(identities: readonly IdentityRecord[]): Promise<void> {
    let next = 0;
    const writer = async (): Promise<void> => {
      while (next < identities.length) {
        const start = next;
        next += BATCH;
        await this.writeBatch(identities.slice(start, start + BATCH));
      }
    };
    const writers = Array.from(
      { length: Math.min(this.inFlight, Math.ceil(identities.length / BATCH)) },
      writer,
    );
    // Every writer settles before the first failure is reported: no write is left running unseen.
    const outcomes = await Promise.allSettled(writers);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async writeBatch(batch: readonly IdentityRecord[]): Promise<void> {
    let requests = batch.map((item) => ({ PutRequest: { Item: { ...item } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= this.maxAttempts) {
        throw new Error(
          `${requests.length} identity writes still unprocessed after ${this.maxAttempts} attempts`,
        );
      }
      if (attempt > 0) {
        const ceiling = this.baseDelayMs * 2 ** attempt;
        await new Promise((r) => setTimeout(r, ceiling / 2 + Math.random() * (ceiling / 2)));
      }
      try {
        const out = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      } catch (error) {
        // A batch throttled whole is refused with an error (after the SDK's own retries) rather
        // than returned unprocessed: it waits and goes again like unprocessed items.
        if (!THROTTLING.has((error as { name?: string }).name ?? '')) throw error;
      }
    }
  }
}

/**
 * IdentityStore on DynamoDB: personal data keyed by pseudonym and source (each source keeps its own
 * record of the child). Ingest writes with `putAll`, one conditional PutItem per record with many in
 * flight; alert intake with `putIfAbsent`; the identity API reads with `recordsOf`.
 *
 * A record replaces the stored one only when it comes from the same or a later cut of the source,
 * so an old cut uploaded late does not overwrite what is current. BatchWriteItem takes no
 * condition, so each record is its own PutItem. A record the condition refuses is skipped and
 * counted. Either way the write costs one write unit, as in a batch.
 *
 * Each call costs the SDK 1.3–1.45 ms of CPU on the benchmark machine (serialising, signing,
 * parsing the answer; `npm run bench:tasks`, `BENCHMARKS.md`), against 1.9 ms for a batch of 25.
 * So the writes are bound by CPU, not by DynamoDB's 10–30 ms latency, once some 25 calls are in
 * flight; `DEFAULT_WRITES_IN_FLIGHT` leaves room for slower answers and stays under the SDK's 50
 * sockets. That cost is also why each publish task writes one part of a bucket's identities
 * (`IDENTITY_PART_CHARS`), not the whole bucket.
 * A write the table throttles, after the SDK's own retries, is tried again after a growing,
 * jittered pause.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type {
  AlertIdentityRecord,
  IdentityRecord,
  IdentityStore,
  IdentityWriteCounts,
} from '../domain/identity';
import { ALERT_SOURCE, MERGED_SOURCE } from '../domain/identity';
import type { BirthDateRange, MatchRecord } from '../domain/matching';
import { matchBlockOf } from '../domain/matching';

/** The index of records by comuna and paternal surname's sound key, with the birth date as range. */
export const MATCH_INDEX = 'byMatchBlock';

/**
 * The item of a record: the record, and its `matchBlock` when it has the surname and birth date a
 * match needs (the index is sparse: other records stay out of it).
 */
export function identityItem(identity: IdentityRecord): Record<string, unknown> {
  const block =
    identity.birthDate === undefined ? undefined : matchBlockOf(identity.comuna, identity.paternalSurname);
  return block === undefined ? { ...identity } : { ...identity, matchBlock: block };
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Writes in flight at once unless the options say otherwise. */
export const DEFAULT_WRITES_IN_FLIGHT = 32;

/**
 * Replace only a record of the same or an earlier cut, or one with no cut recorded. A missing
 * item passes too. Cuts are `yyyy-mm`, so string order is time order.
 */
export const REPLACE_CONDITION =
  'attribute_not_exists(childId) OR attribute_not_exists(#cut) OR #cut <= :cut';

export interface IdentityWriteOptions {
  /** Writes in flight at once. @default DEFAULT_WRITES_IN_FLIGHT */
  readonly inFlight?: number;
  /** Calls per record before giving up on one the table keeps throttling. @default 10 */
  readonly maxAttempts?: number;
  /** First pause before writing a throttled record again, doubled on each attempt. @default 50 */
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
    this.inFlight = options.inFlight ?? DEFAULT_WRITES_IN_FLIGHT;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.baseDelayMs = options.baseDelayMs ?? 50;
  }

  async putAll(
    identities: Iterable<IdentityRecord> | AsyncIterable<IdentityRecord>,
  ): Promise<IdentityWriteCounts> {
    // One generator shared by every writer: it queues their requests for the next record, so each
    // record is taken once and only the records in flight are held.
    const source = (async function* () {
      for await (const identity of identities) yield identity;
    })();
    let written = 0;
    let olderThanStored = 0;
    let failed = false;
    const writer = async (): Promise<void> => {
      try {
        while (!failed) {
          const next = await source.next();
          if (next.done) return;
          if (await this.put(next.value)) written++;
          else olderThanStored++;
        }
      } catch (error) {
        // The others stop taking records; what they have in flight finishes.
        failed = true;
        throw error;
      }
    };
    // Every writer settles before the first failure is reported: no write is left running unseen.
    const outcomes = await Promise.allSettled(Array.from({ length: this.inFlight }, writer));
    await source.return(undefined);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
    return { written, olderThanStored };
  }

  async putIfAbsent(identity: AlertIdentityRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: identityItem(identity),
          ConditionExpression: 'attribute_not_exists(childId)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recordsOf(childId: string): Promise<readonly IdentityRecord[]> {
    // One item per source: a handful per child, well inside one page.
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'childId = :c',
        ExpressionAttributeValues: { ':c': childId },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).filter(isIdentityRecord);
  }

  async matchRecords(block: string, range: BirthDateRange): Promise<readonly MatchRecord[]> {
    const out: MatchRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: MATCH_INDEX,
          KeyConditionExpression: 'matchBlock = :b AND birthDate BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':b': block, ':from': range.from, ':to': range.to },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        if (typeof item.childId !== 'string') continue;
        out.push({
          childId: item.childId,
          provisional: typeof item.run !== 'string',
          ...(typeof item.givenNames === 'string' ? { givenNames: item.givenNames } : {}),
          ...(typeof item.paternalSurname === 'string' ? { paternalSurname: item.paternalSurname } : {}),
          ...(typeof item.maternalSurname === 'string' ? { maternalSurname: item.maternalSurname } : {}),
          ...(typeof item.birthDate === 'string' ? { birthDate: item.birthDate } : {}),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async mergeProvisional(from: string, to: string, at: string): Promise<void> {
    // The marker first: a merge cut short is finished by the next one, which finds where it went.
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { childId: from, source: MERGED_SOURCE, mergedInto: to, at },
        ConditionExpression: 'attribute_not_exists(childId) OR mergedInto = :to',
        ExpressionAttributeValues: { ':to': to },
      }),
    );
    const reported = (await this.recordsOf(from)).find((r) => r.source === ALERT_SOURCE);
    if (!reported) return;
    // Kept on the child it became, out of the match index: the child is known now, by its RUN.
    const {
      childId: _from,
      matchBlock: _block,
      ...rest
    } = reported as IdentityRecord & { matchBlock?: string };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...rest, childId: to },
          ConditionExpression: 'attribute_not_exists(childId)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: { childId: from, source: ALERT_SOURCE } }),
    );
  }

  async mergedInto(childId: string): Promise<string | undefined> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'childId = :c AND #source = :s',
        ExpressionAttributeNames: { '#source': 'source' },
        ExpressionAttributeValues: { ':c': childId, ':s': MERGED_SOURCE },
        ConsistentRead: true,
      }),
    );
    const into = out.Items?.[0]?.mergedInto;
    return typeof into === 'string' ? into : undefined;
  }

  /** Writes one record; false when the table holds the child's record of a later cut. */
  private async put(identity: IdentityRecord): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        const ceiling = this.baseDelayMs * 2 ** attempt;
        await new Promise((r) => setTimeout(r, ceiling / 2 + Math.random() * (ceiling / 2)));
      }
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: identityItem(identity),
            ConditionExpression: REPLACE_CONDITION,
            ExpressionAttributeNames: { '#cut': 'cut' },
            ExpressionAttributeValues: { ':cut': identity.cut },
          }),
        );
        return true;
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (name === 'ConditionalCheckFailedException') return false;
        // Throttled after the SDK's own retries: wait, and go again.
        if (!THROTTLING.has(name)) throw error;
        if (attempt + 1 >= this.maxAttempts) {
          throw new Error(`an identity write was still throttled after ${this.maxAttempts} attempts`);
        }
      }
    }
  }
}

const optionalText = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** An item read back with the shape the ingest and alert paths write. */
function isIdentityRecord(item: Record<string, unknown>): item is IdentityRecord & Record<string, unknown> {
  return (
    ['childId', 'comuna', 'source', 'cut'].every((k) => typeof item[k] === 'string') &&
    ['run', 'givenNames', 'paternalSurname', 'maternalSurname', 'address', 'birthDate'].every((k) =>
      optionalText(item[k]),
    ) &&
    (item.approximateAge === undefined || typeof item.approximateAge === 'number')
  );
}

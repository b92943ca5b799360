import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoIdentityStore } from '../../../functions/ingest/adapters/dynamo-identity-store';
import type { IdentityRecord } from '../../../functions/ingest/domain/ingest-extract';

const ddb = mockClient(DynamoDBDocumentClient);
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const identities = (n: number): IdentityRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    childId: `n-${String(i).padStart(22, '0')}`,
    run: `${20_000_000 + i}-K`,
    comuna: '13101',
    source: 'rsh',
    cut: '2026-10',
  }));

type Put = { PutRequest: { Item: IdentityRecord } };
const itemsOf = (call: { args: [unknown] }): Put[] =>
  ((call.args[0] as BatchWriteCommand).input.RequestItems?.identities ?? []) as Put[];

describe('identity store on DynamoDB', () => {
  beforeEach(() => ddb.reset());

  it('writes every identity once, in batches of 25, several at a time', async () => {
    let inFlight = 0;
    let most = 0;
    ddb.on(BatchWriteCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return {};
    });
    await new DynamoIdentityStore(db, 'identities', { inFlight: 4 }).putAll(identities(1_000));

    const calls = ddb.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(40);
    expect(calls.every((c) => itemsOf(c).length === 25)).toBe(true);
    const written = calls.flatMap((c) => itemsOf(c).map((p) => p.PutRequest.Item.childId));
    expect(new Set(written).size).toBe(1_000);
    expect(most).toBe(4);
  });

  it('writes throttled items again until the table takes them', async () => {
    let throttled = 2;
    ddb.on(BatchWriteCommand).callsFake(async (input: { RequestItems: Record<string, Put[]> }) => {
      const requests = input.RequestItems.identities ?? [];
      if (throttled-- > 0) return { UnprocessedItems: { identities: requests.slice(10) } };
      return {};
    });
    await new DynamoIdentityStore(db, 'identities', { inFlight: 1, baseDelayMs: 1 }).putAll(identities(25));

    const sizes = ddb.commandCalls(BatchWriteCommand).map((c) => itemsOf(c).length);
    expect(sizes).toEqual([25, 15, 5]);
  });

  it('writes a batch refused whole for throttling again, and fails at once on any other error', async () => {
    const throttled = Object.assign(new Error('Throughput exceeds the current capacity'), {
      name: 'ProvisionedThroughputExceededException',
    });
    ddb.on(BatchWriteCommand).rejectsOnce(throttled).resolves({});
    await new DynamoIdentityStore(db, 'identities', { inFlight: 1, baseDelayMs: 1 }).putAll(identities(25));
    expect(ddb.commandCalls(BatchWriteCommand).map((c) => itemsOf(c).length)).toEqual([25, 25]);

    ddb.reset();
    ddb.on(BatchWriteCommand).rejects(new Error('AccessDeniedException'));
    await expect(
      new DynamoIdentityStore(db, 'identities', { inFlight: 1, baseDelayMs: 1 }).putAll(identities(25)),
    ).rejects.toThrow('AccessDeniedException');
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(1);
  });

  it('fails after its attempts, once every batch in flight has settled', async () => {
    let calls = 0;
    ddb.on(BatchWriteCommand).callsFake(async (input: { RequestItems: Record<string, Put[]> }) => {
      calls++;
      const requests = input.RequestItems.identities ?? [];
      // The first batch is always throttled; the others go through.
      const first = requests[0]?.PutRequest.Item.childId === identities(1)[0]?.childId;
      return first ? { UnprocessedItems: { identities: requests } } : {};
    });
    const store = new DynamoIdentityStore(db, 'identities', { inFlight: 3, maxAttempts: 3, baseDelayMs: 1 });
    await expect(store.putAll(identities(100))).rejects.toThrow(
      '25 identity writes still unprocessed after 3 attempts',
    );
    // Three attempts of the throttled batch and one call for each of the other three batches.
    expect(calls).toBe(6);
  });
});

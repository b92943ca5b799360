import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoIdentityStore } from '../../../functions/identity/adapters/dynamo-identity-store';
import type { IdentityRecord } from '../../../functions/identity/domain/identity';

const ddb = mockClient(DynamoDBDocumentClient);
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const identities = (n: number, cut = '2026-10'): IdentityRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    childId: `n-${String(i).padStart(22, '0')}`,
    run: `${20_000_000 + i}-K`,
    comuna: '13101',
    source: 'rsh',
    cut,
  }));

type PutInput = PutCommand['input'];
const inputOf = (call: { args: [unknown] }): PutInput => (call.args[0] as PutCommand).input;
const conditionFailed = (): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const throttled = (): Error =>
  Object.assign(new Error('Throughput exceeds the current capacity'), {
    name: 'ProvisionedThroughputExceededException',
  });

describe('identity store on DynamoDB', () => {
  beforeEach(() => ddb.reset());

  it('writes each identity once, only over a record of the same or an earlier cut, several at a time', async () => {
    let inFlight = 0;
    let most = 0;
    ddb.on(PutCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return {};
    });
    const counts = await new DynamoIdentityStore(db, 'identities', { inFlight: 4 }).putAll(
      identities(200, '2026-11'),
    );

    expect(counts).toEqual({ written: 200, olderThanStored: 0 });
    const calls = ddb.commandCalls(PutCommand).map(inputOf);
    expect(new Set(calls.map((c) => c.Item?.childId)).size).toBe(200);
    for (const c of calls) {
      expect(c).toMatchObject({
        TableName: 'identities',
        Item: { source: 'rsh', cut: '2026-11' },
        ConditionExpression: 'attribute_not_exists(childId) OR attribute_not_exists(#cut) OR #cut <= :cut',
        ExpressionAttributeNames: { '#cut': 'cut' },
        ExpressionAttributeValues: { ':cut': '2026-11' },
      });
    }
    expect(most).toBe(4);
  });

  it('skips and counts a record the table holds from a later cut', async () => {
    const older = new Set(identities(10).map((i, n) => (n % 3 === 0 ? i.childId : '')));
    ddb.on(PutCommand).callsFake(async (input: PutInput) => {
      if (older.has(String(input.Item?.childId))) throw conditionFailed();
      return {};
    });
    const counts = await new DynamoIdentityStore(db, 'identities', { inFlight: 2 }).putAll(identities(10));
    expect(counts).toEqual({ written: 6, olderThanStored: 4 });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(10);
  });

  it('writes a throttled record again until the table takes it, and fails at once on any other error', async () => {
    ddb.on(PutCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    const store = new DynamoIdentityStore(db, 'identities', { inFlight: 1, baseDelayMs: 1 });
    expect(await store.putAll(identities(2))).toEqual({ written: 2, olderThanStored: 0 });
    expect(ddb.commandCalls(PutCommand).map((c) => inputOf(c).Item?.childId)).toEqual([
      identities(1)[0]?.childId,
      identities(1)[0]?.childId,
      identities(1)[0]?.childId,
      identities(2)[1]?.childId,
    ]);

    ddb.reset();
    ddb.on(PutCommand).rejects(new Error('AccessDeniedException'));
    await expect(store.putAll(identities(25))).rejects.toThrow('AccessDeniedException');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('fails after its attempts, once every write in flight has settled, and takes no more records', async () => {
    const first = identities(1)[0]?.childId;
    ddb.on(PutCommand).callsFake(async (input: PutInput) => {
      // The first record is always throttled; the others go through, slowly.
      if (input.Item?.childId === first) throw throttled();
      await new Promise((r) => setTimeout(r, 5));
      return {};
    });
    const store = new DynamoIdentityStore(db, 'identities', { inFlight: 3, maxAttempts: 3, baseDelayMs: 1 });
    await expect(store.putAll(identities(10_000))).rejects.toThrow(
      'an identity write was still throttled after 3 attempts',
    );
    const calls = ddb.commandCalls(PutCommand);
    expect(calls.filter((c) => inputOf(c).Item?.childId === first)).toHaveLength(3);
    expect(calls.length).toBeLessThan(100);
  });

  it('reads a stream of records as it writes them, holding only those in flight', async () => {
    let taken = 0;
    let settled = 0;
    let ahead = 0;
    ddb.on(PutCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 1));
      settled++;
      return {};
    });
    async function* stream(): AsyncGenerator<IdentityRecord> {
      for (const identity of identities(300)) {
        taken++;
        ahead = Math.max(ahead, taken - settled);
        yield identity;
      }
    }
    const counts = await new DynamoIdentityStore(db, 'identities', { inFlight: 8 }).putAll(stream());
    expect(counts.written).toBe(300);
    expect(ahead).toBeLessThanOrEqual(8);
  });
});

describe('identity store on DynamoDB, alert reporters and readers', () => {
  beforeEach(() => ddb.reset());
  const reported = {
    childId: 'n-child00000000000000000',
    run: '22222222-2',
    comuna: '13101',
    givenNames: 'Josefa',
    source: 'alerta',
    cut: '2026-11',
  } as const;

  it('writes what a reporter said only where no alert of the child did, and takes a refusal quietly', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    await expect(new DynamoIdentityStore(db, 'identities').putIfAbsent(reported)).resolves.toBeUndefined();
    const put = inputOf(ddb.commandCalls(PutCommand)[0] as { args: [unknown] });
    expect(put).toMatchObject({ TableName: 'identities', Item: reported });
    expect(put.ConditionExpression).toBe('attribute_not_exists(childId)');
  });

  it('passes on any other failure of a reporter write', async () => {
    ddb.on(PutCommand).rejects(throttled());
    await expect(new DynamoIdentityStore(db, 'identities').putIfAbsent(reported)).rejects.toThrow(/capacity/);
  });

  it("reads every source's record of a child consistently, and skips items of another shape", async () => {
    const [registry] = identities(1);
    ddb.on(QueryCommand).resolves({
      Items: [
        { ...registry },
        { ...reported, childId: registry?.childId },
        { childId: registry?.childId, run: '1-9', comuna: '13101', source: 'salud' },
        { childId: registry?.childId, run: 7, comuna: '13101', source: 'educacion', cut: '2026-10' },
      ],
    });
    const records = await new DynamoIdentityStore(db, 'identities').recordsOf(registry?.childId ?? '');
    expect(records.map((r) => r.source)).toEqual(['rsh', 'alerta']);
    const query = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query).toMatchObject({
      TableName: 'identities',
      KeyConditionExpression: 'childId = :c',
      ExpressionAttributeValues: { ':c': registry?.childId },
      ConsistentRead: true,
    });
  });
});

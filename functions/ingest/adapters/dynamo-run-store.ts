/**
 * RunStore on DynamoDB: one item per run. Finished chunks, buckets and published identity parts are
 * kept as string sets, so that a redelivered task counts once and the task that completes a stage sees
 * the full count, and so that recovery knows which tasks are left. Every write sets `updatedAt`, the
 * run's progress mark; the `byStatus` index (status, updatedAt) finds active runs that stopped moving.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FileProblem } from '../domain/csv-reader';
import type { IngestRun, NewIngestRun, RunStore } from '../domain/ports';
import type { IngestReport } from '../domain/report';
import type { RunMonitor, RunProgress } from '../domain/run-recovery';
import { ACTIVE_STATUSES } from '../domain/run-stall';

type Item = Record<string, unknown>;

export class DynamoRunStore implements RunStore, RunMonitor {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(runId: string): Promise<IngestRun | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { runId }, ConsistentRead: true }),
    );
    return out.Item ? toRun(out.Item) : undefined;
  }

  async create(run: NewIngestRun): Promise<'created' | 'exists'> {
    const { chunksDone: _c, bucketsDone: _b, ...item } = run;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(runId)',
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      throw error;
    }
  }

  chunkDone(runId: string, index: number): Promise<number> {
    return this.addToSet(runId, 'chunksDone', String(index));
  }

  bucketDone(runId: string, bucket: number): Promise<number> {
    return this.addToSet(runId, 'bucketsDone', String(bucket));
  }

  async startPublishing(runId: string, parts: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { runId },
          UpdateExpression: 'SET #status = :publishing, publishTotal = :parts, updatedAt = :now',
          ConditionExpression: '#status = :processing AND attribute_not_exists(failure)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':publishing': 'publishing',
            ':processing': 'processing',
            ':parts': parts,
            ':now': new Date().toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  partPublished(runId: string, bucket: number, part: number): Promise<number> {
    return this.addToSet(runId, 'partsPublished', `${bucket}/${part}`);
  }

  async fail(runId: string, failure: { problem: FileProblem; message: string }): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { runId },
          UpdateExpression: 'SET failure = :f, updatedAt = :now',
          ConditionExpression: 'attribute_exists(runId) AND attribute_not_exists(failure)',
          ExpressionAttributeValues: { ':f': failure, ':now': new Date().toISOString() },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async finish(runId: string, status: 'done' | 'rejected', report: IngestReport): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { runId },
        UpdateExpression: 'SET #status = :s, report = :r, updatedAt = :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': status, ':r': report, ':now': new Date().toISOString() },
      }),
    );
  }

  ofCut(cut: string): Promise<IngestRun[]> {
    return this.query({
      IndexName: 'byCut',
      KeyConditionExpression: 'cut = :c',
      ExpressionAttributeValues: { ':c': cut },
    });
  }

  async active(updatedBefore?: string): Promise<IngestRun[]> {
    const runs: IngestRun[] = [];
    for (const status of ACTIVE_STATUSES) {
      runs.push(
        ...(await this.query({
          IndexName: 'byStatus',
          KeyConditionExpression: `#status = :s${updatedBefore ? ' AND updatedAt < :before' : ''}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': status, ...(updatedBefore ? { ':before': updatedBefore } : {}) },
        })),
      );
    }
    return runs;
  }

  async progress(runId: string): Promise<RunProgress | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { runId },
        ConsistentRead: true,
        ProjectionExpression: 'runId, chunksDone, bucketsDone, partsPublished',
      }),
    );
    if (!out.Item) return undefined;
    const parts = out.Item.partsPublished;
    return {
      chunks: members(out.Item.chunksDone),
      buckets: members(out.Item.bucketsDone),
      parts: parts instanceof Set ? [...(parts as Set<string>)].sort() : [],
    };
  }

  private async query(
    input: Pick<
      QueryCommandInput,
      'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<IngestRun[]> {
    const runs: IngestRun[] = [];
    let start: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          ...input,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) runs.push(toRun(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return runs;
  }

  private async addToSet(runId: string, attribute: string, member: string): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { runId },
        UpdateExpression: 'ADD #set :m SET updatedAt = :now',
        ConditionExpression: 'attribute_exists(runId)',
        ExpressionAttributeNames: { '#set': attribute },
        ExpressionAttributeValues: { ':m': new Set([member]), ':now': new Date().toISOString() },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const set = out.Attributes?.[attribute];
    return set instanceof Set ? set.size : 0;
  }
}

/** The indices in a string set of chunk or bucket numbers, ascending. */
function members(value: unknown): number[] {
  if (!(value instanceof Set)) return [];
  return [...value].map(Number).sort((a, b) => a - b);
}

function toRun(item: Item): IngestRun {
  const size = (v: unknown): number => (v instanceof Set ? v.size : 0);
  return {
    ...(item as unknown as IngestRun),
    chunksDone: size(item.chunksDone),
    bucketsDone: size(item.bucketsDone),
    publishTotal: typeof item.publishTotal === 'number' ? item.publishTotal : 0,
    partsPublished: size(item.partsPublished),
  };
}

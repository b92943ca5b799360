import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/ingest/worker/app';
import { context, keyFileSource } from '../fixtures';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);
const ENV = {
  AWS_REGION: 'us-east-1',
  RAW_BUCKET: 'raw',
  WORK_BUCKET: 'work',
  CURATED_BUCKET: 'curated',
  IDENTITIES_TABLE: 'identities',
  INGEST_RUNS_TABLE: 'runs',
  INGEST_TASKS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/tasks',
  SCORE_REQUESTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/score',
  PSEUDONYM_KEY_SOURCE: keyFileSource(),
  INGEST_CHUNK_BYTES: '1048576',
  INGEST_REDUCE_BYTES: '1048576',
  INGEST_MAX_FIELD_CHARS: '4096',
  INGEST_MAX_DECOMPRESSED_BYTES: '1073741824',
  INGEST_STALL_MINUTES: '120',
  INGEST_EXTRACTS_PREFIX: 'extracts/',
  INGEST_TASKS_MAX_RECEIVES: '3',
};
const handler = createHandler(ENV);

const task = (receiveCount: number): SQSRecord => ({
  messageId: 'm-1',
  receiptHandle: 'rh',
  body: JSON.stringify({ type: 'chunk', runId: '2026-10-rsh-abc', index: 0 }),
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: '0',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tasks',
  awsRegion: 'us-east-1',
});

describe('ingest worker', () => {
  beforeEach(() => {
    s3.reset();
    sqs.reset();
    ddb.reset();
    s3.on(GetObjectCommand).rejects(new Error('the work bucket is unreachable'));
    ddb.on(UpdateCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('leaves a failing task to be retried while it has deliveries left', async () => {
    // Every record of the batch failed: the whole batch goes back to the queue.
    await expect(handler({ Records: [task(1)] }, context)).rejects.toThrow(/All records failed/);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('on its last delivery, marks the run failed and queues its finalize, so it ends rejected', async () => {
    await expect(handler({ Records: [task(3)] }, context)).rejects.toThrow(/All records failed/);
    const fail = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(fail?.Key).toEqual({ runId: '2026-10-rsh-abc' });
    expect(JSON.stringify(fail?.ExpressionAttributeValues)).toContain('processing-failed');
    const sent = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]?.MessageBody;
    expect(JSON.parse(sent ?? '{}')).toEqual({ type: 'finalize', runId: '2026-10-rsh-abc' });
  });
});

describe('ingest worker, publish tasks', () => {
  beforeEach(() => {
    ddb.reset();
    sqs.reset();
  });

  it('takes a publish task, and one of a run that has ended writes no identity', async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        runId: '2026-10-rsh-abc',
        objectKey: 'extracts/2026-10/rsh.csv',
        cut: '2026-10',
        source: 'rsh',
        status: 'rejected',
        chunkCount: 2,
        bucketCount: 2,
        publishTotal: 2,
      },
    });
    const record = {
      ...task(1),
      body: JSON.stringify({ type: 'publish', runId: '2026-10-rsh-abc', bucket: 1, part: 0 }),
    };
    expect(await handler({ Records: [record] }, context)).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('ingest worker, environment', () => {
  it.each(['INGEST_EXTRACTS_PREFIX', 'INGEST_TASKS_MAX_RECEIVES', 'INGEST_STALL_MINUTES'])(
    'refuses to start without %s, naming it',
    (name) => {
      expect(() => createHandler({ ...ENV, [name]: undefined })).toThrow(new RegExp(`${name}: `));
    },
  );

  it('counts deliveries against the receive limit of its environment', async () => {
    s3.reset();
    ddb.reset();
    sqs.reset();
    s3.on(GetObjectCommand).rejects(new Error('the work bucket is unreachable'));
    ddb.on(UpdateCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const patient = createHandler({ ...ENV, INGEST_TASKS_MAX_RECEIVES: '5' });
    await expect(patient({ Records: [task(3)] }, context)).rejects.toThrow(/All records failed/);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

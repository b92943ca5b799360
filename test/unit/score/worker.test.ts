/**
 * The score function with a model the loader refuses: the layer's model that would bootstrap an
 * empty registry fails its integrity check, so the invocation fails with the loader's error before
 * any record is processed (Lambda returns every message of the batch to the queue) and nothing is
 * stored or registered.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { onnx } from '../../../functions/score/adapters/onnx-proto';
import { createHandler } from '../../../functions/score/worker/app';
import { context } from '../fixtures';

/** The committed model with one weight changed and its metadata (version, hash) left as they were. */
function swappedModelFile(): string {
  const model = onnx.ModelProto.decode(readFileSync('layers/model/risk-model.onnx'));
  const weights = model.graph?.initializer?.find((t) => t.name === 'weight_row')?.floatData;
  if (!weights?.length) throw new Error('the committed model has no weight_row initialiser');
  weights[0] = (weights[0] as number) + 1;
  const path = join(mkdtempSync(join(tmpdir(), 'san-model-')), 'risk-model.onnx');
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}

const request = (id: string): SQSEvent['Records'][number] => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body: JSON.stringify({ cut: '2025-10', comuna: '13101' }),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:score',
  awsRegion: 'us-east-1',
});

describe('score function with a swapped model', () => {
  it('fails its first invocation with the integrity error, leaving the messages on the queue', async () => {
    // Only the registry is read (empty); nothing is stored: the refusal comes before any record.
    const s3 = mockClient(S3Client).rejects(new Error('no S3 in this test'));
    const ddb = mockClient(DynamoDBDocumentClient).rejects(new Error('no write in this test'));
    ddb.on(GetCommand).resolves({});
    try {
      const handler = createHandler({
        AWS_REGION: 'us-east-1',
        CURATED_BUCKET: 'curated',
        ROSTER_TABLE: 'roster',
        MODEL_PATH: swappedModelFile(),
        MODELS_BUCKET: 'models',
        MODELS_TABLE: 'models',
      });
      // A thrown invocation, not a partial-batch response: Lambda returns every message to the queue.
      await expect(handler({ Records: [request('m-1'), request('m-2')] }, context)).rejects.toThrow(
        /the model fails its weights hash check: expected weights with SHA-256 [0-9a-f]{64} \(metadata\), found [0-9a-f]{64} in the graph/,
      );
      expect(s3.calls()).toHaveLength(0);
      expect(ddb.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetCommand', 'GetCommand']);
    } finally {
      s3.restore();
      ddb.restore();
    }
  });
});

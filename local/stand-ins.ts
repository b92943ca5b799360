/**
 * The local stand-ins for AWS, started in this process on loopback: dynalite (DynamoDB, persisted
 * with LevelDB under the data folder), s3rver (S3, persisted as files, emitting S3 event records),
 * and fauxqs (SQS with visibility timeouts and dead-letter redrive; in memory: fauxqs 1.9 has no
 * persistence option, so queued messages do not survive a restart and the runtime resumes ingest
 * runs from their records instead).
 */

import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import S3rver from 's3rver';

export interface StandIns {
  readonly endpoints: { readonly dynamodb: string; readonly s3: string; readonly sqs: string };
  /** Subscribes to the S3 event records s3rver emits for every object written or deleted. */
  onS3Event(listener: (event: S3Event) => void): void;
  /** DynamoDB requests served since start (what a benchmark counts per API request). */
  dynamodbRequests(): number;
  stop(): Promise<void>;
}

export async function startStandIns(dataDir: string): Promise<StandIns> {
  await mkdir(join(dataDir, 's3'), { recursive: true });
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });

  const dynamo: Server = dynalite({
    path: join(dataDir, 'dynamodb'),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, '127.0.0.1', () => resolve());
  });
  const dynamoPort = (dynamo.address() as AddressInfo).port;
  let dynamoRequests = 0;
  dynamo.on('request', () => {
    dynamoRequests++;
  });

  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(dataDir, 's3') });
  const s3Address = (await s3.run()) as AddressInfo;

  const sqs = await startFauxqs({ port: 0, logger: false });

  return {
    endpoints: {
      dynamodb: `http://127.0.0.1:${dynamoPort}`,
      s3: `http://127.0.0.1:${s3Address.port}`,
      sqs: sqs.address,
    },
    dynamodbRequests: () => dynamoRequests,
    onS3Event(listener) {
      // s3rver is a Koa application and emits its S3 event records on the application emitter.
      (s3 as unknown as NodeJS.EventEmitter).on('event', listener);
    },
    async stop() {
      await sqs.stop();
      await s3.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

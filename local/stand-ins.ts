/**
 * The local stand-ins for AWS, started in this process on loopback: dynalite (DynamoDB, persisted
 * with LevelDB under the data folder), s3rver (S3, persisted as files, emitting S3 event records),
 * and fauxqs (SQS with visibility timeouts and dead-letter redrive; in memory: fauxqs 1.9 has no
 * persistence option, so queued messages do not survive a restart and the runtime resumes ingest
 * runs from their records instead).
 */

import { fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Event } from 'aws-lambda';
import { startFauxqs } from 'fauxqs';
import S3rver from 's3rver';
import { atomicPuts } from './s3-atomic-puts';

/** What the local DynamoDB stand-in has done since it started. */
export interface StoreUsage {
  readonly requests: number;
  /** CPU time of the stand-in's process, user and system, in milliseconds. */
  readonly cpuMs: number;
}

export interface StandIns {
  readonly endpoints: { readonly dynamodb: string; readonly s3: string; readonly sqs: string };
  /** Subscribes to the S3 event records s3rver emits for every object written or deleted. */
  onS3Event(listener: (event: S3Event) => void): void;
  /** DynamoDB requests served and CPU time spent by the stand-in since start (what a benchmark charges per API request). */
  dynamodbUsage(): Promise<StoreUsage>;
  stop(): Promise<void>;
}

export async function startStandIns(dataDir: string): Promise<StandIns> {
  await mkdir(join(dataDir, 's3'), { recursive: true });
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });

  const dynamo = await startDynalite(join(dataDir, 'dynamodb'));

  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(dataDir, 's3') });
  atomicPuts(s3);
  const s3Address = (await s3.run()) as AddressInfo;

  const sqs = await startFauxqs({ port: 0, logger: false });

  return {
    endpoints: {
      dynamodb: `http://127.0.0.1:${dynamo.port}`,
      s3: `http://127.0.0.1:${s3Address.port}`,
      sqs: sqs.address,
    },
    dynamodbUsage: () => dynamo.usage(),
    onS3Event(listener) {
      // s3rver is a Koa application and emits its S3 event records on the application emitter.
      (s3 as unknown as NodeJS.EventEmitter).on('event', listener);
    },
    async stop() {
      await sqs.stop();
      await s3.close();
      await dynamo.stop();
    },
  };
}

interface Dynalite {
  readonly port: number;
  usage(): Promise<StoreUsage>;
  stop(): Promise<void>;
}

/**
 * dynalite in a child process (`dynalite-server.mjs`): the stand-in answers on a core of its own
 * rather than sharing the event loop with the gateway and the functions it serves.
 */
async function startDynalite(path: string): Promise<Dynalite> {
  const child = fork(fileURLToPath(new URL('./dynalite-server.mjs', import.meta.url)), [path], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: ((usage: StoreUsage) => void)[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the local DynamoDB stand-in exited (code ${code})`)));
    child.on('message', (message: { port?: number; usage?: StoreUsage; error?: string }) => {
      if (message.error) reject(new Error(`the local DynamoDB stand-in failed: ${message.error}`));
      if (message.port !== undefined) resolve(message.port);
      if (message.usage !== undefined) waiting.shift()?.(message.usage);
    });
  });
  child.removeAllListeners('exit');
  return {
    port,
    usage: () =>
      new Promise<StoreUsage>((resolve) => {
        waiting.push(resolve);
        child.send('usage');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || !child.connected) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

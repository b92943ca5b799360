/**
 * The local S3 stand-in keeps S3's promise that matters to the pipeline: once a PUT has answered,
 * a GET of the key reads the whole object (read-after-write), never a file still being written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StandIns } from '../../local/stand-ins';
import { startStandIns } from '../../local/stand-ins';

let dir: string;
let standIns: StandIns;
let s3: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'san-s3-'));
  standIns = await startStandIns(dir);
  s3 = new S3Client({
    endpoint: standIns.endpoints.s3,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'san-test' }));
});
afterAll(async () => {
  await standIns?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the local S3 stand-in', () => {
  it('never lets a reader see an object half-written, while it is overwritten', async () => {
    // As `_SUCCESS.json` is rewritten by ingest while scoring reads it: every read is one whole version.
    const version = (n: number) => JSON.stringify({ n, parts: Array.from({ length: 2000 }, (_, i) => i) });
    await s3.send(new PutObjectCommand({ Bucket: 'san-test', Key: 'k.json', Body: version(0) }));
    let writing = true;
    const writer = (async () => {
      for (let n = 1; n <= 60; n++) {
        await s3.send(new PutObjectCommand({ Bucket: 'san-test', Key: 'k.json', Body: version(n) }));
      }
      writing = false;
    })();
    let reads = 0;
    const broken: string[] = [];
    const readers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const out = await s3.send(new GetObjectCommand({ Bucket: 'san-test', Key: 'k.json' }));
        const text = (await out.Body?.transformToString()) ?? '';
        reads++;
        try {
          JSON.parse(text);
        } catch {
          broken.push(`${text.length} bytes`);
        }
      }
    });
    await Promise.all([writer, ...readers]);
    expect(reads).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });
});

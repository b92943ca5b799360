/** ExtractStore and CuratedStore on S3: streamed reads, JSON and NDJSON writes (SSE by bucket default). */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import type { CuratedStore, ExtractStore } from '../domain/ports';

export class S3ObjectStore implements ExtractStore, CuratedStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async open(key: string): Promise<Readable | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body as Readable | undefined;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async putJson(key: string, value: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: `${JSON.stringify(value, null, 2)}\n`,
        ContentType: 'application/json; charset=utf-8',
      }),
    );
  }

  async putLines(key: string, lines: readonly string[]): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: lines.length > 0 ? `${lines.join('\n')}\n` : '',
        ContentType: 'application/x-ndjson; charset=utf-8',
      }),
    );
  }
}

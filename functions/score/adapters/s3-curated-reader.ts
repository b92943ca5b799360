/** CuratedReader on S3: reads the partitions ingest wrote and validates every record. */

import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound } from '@aws-sdk/client-s3';
import { curatedKeys } from '../../ingest/domain/ports';
import { educationRecordSchema, parseNdjson, rshRecordSchema } from '../domain/curated-records';
import type { EducationRecord, RshRecord } from '../domain/indicators';
import type { CuratedReader } from '../domain/score-comuna';

export class S3CuratedReader implements CuratedReader {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async isComplete(cut: string, source: string): Promise<boolean> {
    try {
      await this.s3.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: curatedKeys.success(cut, source) }),
      );
      return true;
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchKey || isMissing(error)) return false;
      throw error;
    }
  }

  async rsh(cut: string, comuna: string): Promise<RshRecord[]> {
    const key = curatedKeys.partition(cut, 'rsh', comuna);
    return parseNdjson(await this.text(key), rshRecordSchema, `s3://${this.bucket}/${key}`);
  }

  async education(cut: string, comuna: string): Promise<EducationRecord[]> {
    const key = curatedKeys.partition(cut, 'educacion', comuna);
    return parseNdjson(await this.text(key), educationRecordSchema, `s3://${this.bucket}/${key}`);
  }

  private async text(key: string): Promise<string> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey || isMissing(error)) return '';
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

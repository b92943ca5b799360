/**
 * CuratedReader on S3: follows each source's `_SUCCESS.json` to its current run, reads the comuna's
 * parts, and validates every record.
 */
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { z } from 'zod';
import { S3ObjectStore } from '../../ingest/adapters/s3-object-store';
import { currentRunId } from '../../ingest/domain/ingest-run';
import { curatedKeys } from '../../ingest/domain/ports';
import { educationRecordSchema, parseNdjson, rshRecordSchema } from '../domain/curated-records';
import type { EducationRecord, RshRecord } from '../domain/indicators';
import type { CuratedReader } from '../domain/score-comuna';

export class S3CuratedReader implements CuratedReader {
  private readonly store: S3ObjectStore;

  constructor(s3: S3Client, bucket: string) {
    this.store = new S3ObjectStore(s3, bucket);
  }

  currentRun(cut: string, source: string): Promise<string | undefined> {
    return currentRunId(this.store, cut, source);
  }

  rsh(cut: string, comuna: string): Promise<RshRecord[]> {
    return this.read(cut, 'rsh', comuna, rshRecordSchema);
  }

  education(cut: string, comuna: string): Promise<EducationRecord[]> {
    return this.read(cut, 'educacion', comuna, educationRecordSchema);
  }

  private async read<T>(cut: string, source: string, comuna: string, schema: z.ZodType<T>): Promise<T[]> {
    const runId = await currentRunId(this.store, cut, source);
    if (!runId) return [];
    const out: T[] = [];
    for (const key of await this.store.list(curatedKeys.comunaPrefix(cut, source, runId, comuna))) {
      const body = (await this.store.open(key)) ?? Readable.from([]);
      const parts: Buffer[] = [];
      for await (const part of body) parts.push(Buffer.from(part as Buffer));
      for (const record of parseNdjson(
        Buffer.concat(parts).toString('utf8'),
        schema,
        `s3://${this.store.bucket}/${key}`,
      )) {
        out.push(record);
      }
    }
    return out;
  }
}

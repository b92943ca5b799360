/**
 * CuratedReader on S3: follows each source's `_SUCCESS.json` to its current run, reads the comuna's
 * parts (every comuna's, for the sources about adults: `CROSS_COMUNA_SOURCES`), and validates every
 * record.
 */
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { z } from 'zod';
import { S3ObjectStore } from '../../shared/adapters/s3-object-store';
import { curatedKeys, currentRunId } from '../../shared/domain/curated';
import type { CuratedRecords, ModelSource } from '../domain/curated-records';
import {
  CROSS_COMUNA_SOURCES,
  MODEL_SOURCE_SCHEMAS,
  MODEL_SOURCES,
  parseNdjson,
} from '../domain/curated-records';
import type { CuratedReader } from '../domain/score-comuna';

export class S3CuratedReader implements CuratedReader {
  private readonly store: S3ObjectStore;

  constructor(s3: S3Client, bucket: string) {
    this.store = new S3ObjectStore(s3, bucket);
  }

  currentRun(cut: string, source: string): Promise<string | undefined> {
    return currentRunId(this.store, cut, source);
  }

  async records(cut: string, comuna: string): Promise<CuratedRecords> {
    const entries = await Promise.all(
      MODEL_SOURCES.map(async (source) => [source, await this.sourceRecords(cut, source, comuna)] as const),
    );
    return Object.fromEntries(entries) as unknown as CuratedRecords;
  }

  /** One source's records of the comuna (or of every comuna) from the cut's current run (none when it has no run). */
  async sourceRecords(cut: string, source: ModelSource, comuna: string): Promise<unknown[]> {
    const schema: z.ZodType<unknown> = MODEL_SOURCE_SCHEMAS[source];
    const runId = await currentRunId(this.store, cut, source);
    if (!runId) return [];
    const out: unknown[] = [];
    const prefix = CROSS_COMUNA_SOURCES.has(source)
      ? curatedKeys.runPrefix(cut, source, runId)
      : curatedKeys.comunaPrefix(cut, source, runId, comuna);
    for (const key of await this.store.list(prefix)) {
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

/**
 * The object storage port: one bucket, as ingest writes it and scoring and the quality API read
 * it. S3 implements it (`../adapters/s3-object-store.ts`), the tests and benchmarks in memory or on
 * files.
 */
import type { Readable } from 'node:stream';
import type { z } from 'zod';

/** One bucket. */
export interface ObjectStore {
  /** The object's body (or a byte range of it, end exclusive), or undefined if it does not exist. */
  open(key: string, range?: { start: number; end: number }): Promise<Readable | undefined>;
  getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined>;
  putJson(key: string, value: unknown): Promise<void>;
  /**
   * Writes NDJSON: the lines as strings, or as their UTF-8 bytes with every line ended by `\n`
   * (the same object either way).
   */
  putLines(key: string, lines: readonly string[] | Buffer): Promise<void>;
  putBytes(key: string, bytes: Buffer): Promise<void>;
  /** Keys under `prefix`, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
}

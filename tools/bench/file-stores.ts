/**
 * Stores for benchmarking the ingest path on a local file: the upload is read from disk (with byte
 * ranges, as S3 serves them), and everything the tasks write is counted and discarded, so that the
 * measure is the computing cost and memory of the tasks themselves; or, to run every task, kept in
 * a directory.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import type { IngestRun, NewIngestRun, RunStore } from '../../functions/ingest/domain/ports';
import type { ObjectStore } from '../../functions/shared/domain/object-store';

export class FileObjectStore implements ObjectStore {
  constructor(private readonly files: Readonly<Record<string, string>>) {}
  async open(key: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    const path = this.files[key];
    if (!path || !existsSync(path)) return undefined;
    if (range && range.end <= range.start) return Readable.from([]);
    return createReadStream(path, range ? { start: range.start, end: range.end - 1 } : {});
  }
  /** JSON objects (the cut's manifest) are read from their files too. */
  async getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const path = this.files[key];
    if (!path || !existsSync(path)) return undefined;
    return schema.parse(JSON.parse(await readFile(path, 'utf8')));
  }
  async putJson(): Promise<void> {}
  async putLines(): Promise<void> {}
  async putBytes(): Promise<void> {}
  async list(): Promise<string[]> {
    return [];
  }
}

/** The raw store of a benchmark upload: the extract and, beside it, its cut's manifest. */
export function uploadStore(key: string, file: string): FileObjectStore {
  return new FileObjectStore({
    [key]: file,
    [`${key.slice(0, key.lastIndexOf('/'))}/manifest.json`]: manifestPath(file),
  });
}

/** Where a benchmark writes the manifest of the cut its extract `file` belongs to. */
export function manifestPath(file: string): string {
  return `${file}.manifest.json`;
}

/** Keeps JSON (plans, statistics) in memory and counts, then drops, bulk writes. */
export class CountingStore implements ObjectStore {
  readonly json = new Map<string, unknown>();
  bytesWritten = 0;
  async open(): Promise<Readable | undefined> {
    return undefined;
  }
  async getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const value = this.json.get(key);
    return value === undefined ? undefined : schema.parse(value);
  }
  async putJson(key: string, value: unknown): Promise<void> {
    this.json.set(key, JSON.parse(JSON.stringify(value)));
  }
  async putLines(_key: string, lines: readonly string[] | Buffer): Promise<void> {
    if (Buffer.isBuffer(lines)) this.bytesWritten += lines.length;
    else for (const l of lines) this.bytesWritten += Buffer.byteLength(l) + 1;
  }
  async putBytes(_key: string, bytes: Buffer): Promise<void> {
    this.bytesWritten += bytes.length;
  }
  async list(): Promise<string[]> {
    return [];
  }
}

type StoredRun = IngestRun & { chunkSet: Set<number>; bucketSet: Set<number>; publishedSet: Set<string> };

export class MemoryRunStore implements RunStore {
  readonly runs = new Map<string, StoredRun>();
  async get(runId: string): Promise<IngestRun | undefined> {
    const r = this.runs.get(runId);
    return r
      ? {
          ...r,
          chunksDone: r.chunkSet.size,
          bucketsDone: r.bucketSet.size,
          partsPublished: r.publishedSet.size,
        }
      : undefined;
  }
  async create(run: NewIngestRun): Promise<'created' | 'exists'> {
    if (this.runs.has(run.runId)) return 'exists';
    this.runs.set(run.runId, {
      ...run,
      publishTotal: 0,
      partsPublished: 0,
      chunkSet: new Set(),
      bucketSet: new Set(),
      publishedSet: new Set(),
    });
    return 'created';
  }
  async startPublishing(runId: string, parts: number): Promise<boolean> {
    const r = this.runs.get(runId);
    if (r?.status !== 'processing' || r.failure) return false;
    this.runs.set(runId, { ...r, status: 'publishing', publishTotal: parts });
    return true;
  }
  async partPublished(runId: string, bucket: number, part: number): Promise<number> {
    const r = this.runs.get(runId);
    r?.publishedSet.add(`${bucket}/${part}`);
    return r?.publishedSet.size ?? 0;
  }
  async chunkDone(runId: string, index: number): Promise<number> {
    const r = this.runs.get(runId);
    r?.chunkSet.add(index);
    return r?.chunkSet.size ?? 0;
  }
  async bucketDone(runId: string, bucket: number): Promise<number> {
    const r = this.runs.get(runId);
    r?.bucketSet.add(bucket);
    return r?.bucketSet.size ?? 0;
  }
  async fail(runId: string, failure: NonNullable<IngestRun['failure']>): Promise<void> {
    const r = this.runs.get(runId);
    if (r && !r.failure) this.runs.set(runId, { ...r, failure });
  }
  async finish(
    runId: string,
    status: 'done' | 'rejected',
    report: NonNullable<IngestRun['report']>,
  ): Promise<void> {
    const r = this.runs.get(runId);
    if (r) this.runs.set(runId, { ...r, status, report });
  }
  async ofCut(cut: string): Promise<IngestRun[]> {
    return [...this.runs.values()].filter((r) => r.cut === cut);
  }
}

/**
 * An object store in a directory, for running every task of the ingest path (reduce and finalize
 * read what chunk tasks wrote). Keys are paths under the directory; listings are in key order.
 */
export class DirectoryObjectStore implements ObjectStore {
  constructor(private readonly dir: string) {}

  private pathOf(key: string): string {
    const path = resolve(this.dir, key);
    if (!path.startsWith(`${resolve(this.dir)}${sep}`)) throw new Error(`key outside the store: ${key}`);
    return path;
  }

  async open(key: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    const path = this.pathOf(key);
    if (!existsSync(path)) return undefined;
    if (range && range.end <= range.start) return Readable.from([]);
    return createReadStream(path, range ? { start: range.start, end: range.end - 1 } : {});
  }
  async getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const path = this.pathOf(key);
    if (!existsSync(path)) return undefined;
    return schema.parse(JSON.parse(await readFile(path, 'utf8')));
  }
  async putJson(key: string, value: unknown): Promise<void> {
    await this.putBytes(key, Buffer.from(JSON.stringify(value)));
  }
  async putLines(key: string, lines: readonly string[] | Buffer): Promise<void> {
    await this.putBytes(
      key,
      Buffer.isBuffer(lines) ? lines : Buffer.from(lines.map((l) => `${l}\n`).join('')),
    );
  }
  async putBytes(key: string, bytes: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
  async list(prefix: string): Promise<string[]> {
    const root = resolve(this.dir);
    if (!existsSync(root)) return [];
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix))
      .sort();
  }
}

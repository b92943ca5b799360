/**
 * s3rver writes an object straight to its final file and answers the PUT before the file is
 * flushed, so a GET racing the write (ingest rewriting `_SUCCESS.json` while scoring reads it) can
 * read a truncated object, which S3 never serves. This gives its filesystem store S3's behaviour:
 * the object is written to a file of its own and renamed over the old one once complete, and the
 * PUT answers only then. A GET opens the file first and takes its length from what it opened, so
 * a rename meanwhile cannot give it one file's length and another's bytes. A reader sees the old
 * object or the new one, whole.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The part of s3rver's FilesystemStore this replaces and uses. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<unknown>;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: StoreObject): Promise<{ size: number; md5: string }>;
}

interface StoreObject {
  readonly bucket: string;
  readonly key: string;
  readonly metadata: unknown;
  readonly content: Buffer | NodeJS.ReadableStream;
}

/** Makes the store of an s3rver instance (`server.store`) write objects whole, by rename. */
export function atomicPuts(server: unknown): void {
  const store = (server as { store?: FilesystemStore }).store;
  if (!store || typeof store.getResourcePath !== 'function' || typeof store.putMetadata !== 'function') {
    throw new Error('the local S3 stand-in (s3rver) has no filesystem store to make atomic');
  }
  store.putObject = async (object) => {
    const target = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.${randomUUID()}.writing`;
    const md5 = createHash('md5');
    let size = 0;
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            md5.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        createWriteStream(partial),
      );
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
  store.getObject = async (bucket, key, options) => {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(store.getResourcePath(bucket, key, 'object'), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const size = (await handle.stat()).size;
      const metadata = { ...(await store.getMetadata(bucket, key)), 'content-length': String(size) };
      const lastByte = Math.max(0, size - 1);
      const range = {
        start: options?.start ?? 0,
        end: Math.min(options?.end ?? Number.POSITIVE_INFINITY, lastByte),
      };
      const ranged = options !== undefined && (options.start !== undefined || options.end !== undefined);
      if (range.start < 0 || range.end < range.start) {
        await handle.close();
        const empty = new S3Object(bucket, key, null, metadata);
        if (ranged) empty.range = range;
        return empty;
      }
      const object = new S3Object(
        bucket,
        key,
        handle.createReadStream({ start: range.start, end: range.end }),
        metadata,
      );
      if (ranged) object.range = range;
      return object;
    } catch (error) {
      await handle.close();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
}

/** s3rver's object model, which its routes read. */
const S3Object = createRequire(import.meta.url)('s3rver/lib/models/object') as new (
  bucket: string,
  key: string,
  content: NodeJS.ReadableStream | null,
  metadata: Record<string, string>,
) => { range?: { start: number; end: number } };

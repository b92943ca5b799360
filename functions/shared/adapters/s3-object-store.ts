/** ObjectStore on S3: streamed and ranged reads, JSON and NDJSON writes (SSE by bucket default). */
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import type { z } from 'zod';
import type { ObjectStore } from '../domain/object-store';

export class StoredObjectError extends Error {
  override readonly name = 'StoredObjectError';
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async open(key: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    if (range && range.end <= range.start) {
      return Readable.from([]);
    }
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
        }),
      );
      return out.Body as Readable | undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const body = await this.open(key);
    if (!body) return undefined;
    const parts: Buffer[] = [];
    for await (const part of body) parts.push(Buffer.from(part as Buffer));
    let value: unknown;
    try {
      value = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      throw new StoredObjectError(`s3://${this.bucket}/${key} is not JSON`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new StoredObjectError(`s3://${this.bucket}/${key}: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    return parsed.data;
  }

  async putJson(key: string, value: unknown): Promise<void> {
    await this.put(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json; charset=utf-8');
  }

  async putLines(key: string, lines: readonly string[] | Buffer): Promise<void> {
    const body = Buffer.isBuffer(lines) ? lines : lines.length > 0 ? `${lines.join('\n')}\n` : '';
    await this.put(key, body, 'application/x-ndjson; charset=utf-8');
  }

  async putBytes(key: string, bytes: Buffer): Promise<void> {
    await this.put(key, bytes, 'application/octet-stream');
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  private async put(key: string, body: string | Buffer, contentType: string): Promise<void> {
    const sized = await sizedBody(body);
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: sized.body,
        ContentLength: sized.length,
        ContentType: contentType,
      }),
    );
  }
}

/**
 * A put body with its length in bytes. The SDK sets Content-Length itself only for a non-empty
 * body it can measure; an empty string or a stream goes without one, and the S3 client then
 * warns of a "Stream of unknown length" on every such put. A stream is buffered: the puts of this
 * store are bounded (a chunk, a part, a report), so holding one is what the caller already does.
 */
export async function sizedBody(
  body: string | Uint8Array | Readable,
): Promise<{ body: string | Uint8Array; length: number }> {
  if (typeof body === 'string') return { body, length: Buffer.byteLength(body, 'utf8') };
  if (body instanceof Uint8Array) return { body, length: body.byteLength };
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as string));
  const bytes = Buffer.concat(parts);
  return { body: bytes, length: bytes.byteLength };
}

function isMissing(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/**
 * The data team's upload of one extract, streamed whatever its size: a first pass hashes the file
 * (SHA-256, as the manifest declares it), then a multipart upload reads it again from disk part by
 * part, reporting the bytes S3 has received. Memory stays at a few parts (`queueSize` × `partSize`),
 * not the file, so neither Node's 2 GiB limit on one read nor the machine's memory bounds a cut.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** S3 takes at most 10,000 parts of at least 5 MiB (except the last). */
const MAX_PARTS = 10_000;
export const DEFAULT_PART_BYTES = 8 * 1024 ** 2;
/** Parts in flight at once: memory is about this many parts. */
const QUEUE_SIZE = 4;

/** The file's SHA-256 (hex) and size, read as a stream; `onBytes` gets the bytes read so far. */
export async function hashFile(
  path: string,
  onBytes?: (read: number) => void,
): Promise<{ readonly sha256: string; readonly bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 ** 2 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onBytes?.(bytes);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** A part size that keeps the file within S3's 10,000 parts. */
export function partSizeFor(bytes: number, preferred = DEFAULT_PART_BYTES): number {
  return Math.max(preferred, Math.ceil(bytes / MAX_PARTS));
}

export interface UploadFileInput {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly path: string;
  readonly contentType: string;
  /** @default 8 MiB, or more for a file that would need more than 10,000 parts */
  readonly partBytes?: number;
  /** Bytes S3 has received of this file so far. */
  readonly onProgress?: (sent: number) => void;
}

/** Uploads the file at `path` from a read stream, in parts; resolves once S3 holds it whole. */
export async function uploadFile(input: UploadFileInput): Promise<{ readonly bytes: number }> {
  const { size } = await stat(input.path);
  const partSize = partSizeFor(size, input.partBytes);
  const upload = new Upload({
    client: input.s3,
    params: {
      Bucket: input.bucket,
      Key: input.key,
      Body: createReadStream(input.path, { highWaterMark: 1024 ** 2 }),
      ContentType: input.contentType,
    },
    partSize,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  upload.on('httpUploadProgress', (p) => {
    if (p.loaded !== undefined) input.onProgress?.(p.loaded);
  });
  await upload.done();
  input.onProgress?.(size);
  return { bytes: size };
}

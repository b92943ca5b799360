/**
 * The planner's one streaming pass over a file: header, record boundaries (with the scanner every
 * chunk task runs again), the encoding of every line, content hash and chunk boundaries; and the
 * lines it leaves out of every chunk (see `plan-rules.ts`).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ReadOptions } from '../csv-reader';
import {
  asFileError,
  byteLimit,
  chain,
  DEFAULT_MAX_RECORD_BYTES,
  FileRejectedError,
  MAX_HEADER_BYTES,
} from '../csv-reader';
import type { EncodingTally } from '../line-decoder';
import { emptyEncodingTally, tallyLines } from '../line-decoder';
import type { Segment } from '../record-scanner';
import { delimiterOf, RecordScanner } from '../record-scanner';

export interface ScanResult {
  readonly uploadSha256: string;
  readonly uploadBytes: number;
  readonly gzip: boolean;
  readonly header: Buffer;
  readonly chunks: readonly { start: number; end: number; firstLine: number }[];
  readonly totalBytes: number;
  readonly sha256: string;
  /** Records after the header, malformed ones included: what the manifest's `rows` counts. */
  readonly records: number;
  readonly malformed: number;
  /** Lines longer than the record limit: left out of every chunk, quarantined by the plan. */
  readonly tooLong: readonly { readonly line: number; readonly preview: Buffer }[];
  readonly encoding: EncodingTally;
}

/**
 * The bytes of a gzip file's current chunk, held until the chunk closes: from the chunk's start,
 * less what a line over the record limit made worthless.
 */
class PendingBytes {
  private parts: Buffer[] = [];
  private start = 0;
  private length = 0;

  append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** The bytes [from, to), which must be held. */
  take(from: number, to: number): Buffer {
    const all = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [all];
    return Buffer.from(all.subarray(from - this.start, to - this.start));
  }

  /** Forgets the bytes before `offset`. */
  dropBefore(offset: number): void {
    if (offset <= this.start) return;
    const all = Buffer.concat(this.parts);
    const keep = all.subarray(Math.min(all.length, offset - this.start));
    this.parts = keep.length > 0 ? [Buffer.from(keep)] : [];
    this.start = offset;
    this.length = keep.length;
  }
}

/**
 * One pass over the (decompressed) content: header, records (and malformed ones, with the record
 * scanner every chunk task runs again), encodings, content hash and chunk boundaries. For gzip
 * input each chunk's bytes are handed to `storeChunk` as it closes. Memory holds at most one chunk
 * and one record: `chunkBytes + maxRecordBytes` plus the stream's buffers, whatever the input.
 */
export async function scanFile(
  body: Readable,
  chunkBytes: number,
  options: ReadOptions,
  storeChunk: (index: number, bytes: Buffer, firstLine: number, header: Buffer) => Promise<void>,
  hold: 'gzip' | 'all' = 'gzip',
): Promise<ScanResult> {
  const iterator = body[Symbol.asyncIterator]();
  const first = await iterator.next();
  const firstBytes: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  const uploadHash = createHash('sha256');
  let uploadBytes = 0;
  async function* replay(): AsyncGenerator<Buffer> {
    if (firstBytes.length > 0) {
      uploadHash.update(firstBytes);
      uploadBytes += firstBytes.length;
      yield firstBytes;
    }
    if (first.done) return;
    for (;;) {
      const r = await iterator.next();
      if (r.done) return;
      const piece = Buffer.from(r.value);
      uploadHash.update(piece);
      uploadBytes += piece.length;
      yield piece;
    }
  }
  const raw = Readable.from(replay(), { objectMode: false });
  const gzip = firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
  const bytes: Readable = gzip ? chain(raw, createGunzip(), byteLimit(options.maxDecompressedBytes)) : raw;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  // Chunks handed over as they close: those of gzip input, or every one for the single pass.
  const holding = gzip || hold === 'all';

  const contentHash = createHash('sha256');
  let total = 0;
  let header: Buffer | undefined;
  const headerParts: Buffer[] = [];
  let scanner: RecordScanner | undefined;
  const encoding = emptyEncodingTally();
  const pending = new PendingBytes();
  const chunks: { start: number; end: number; firstLine: number }[] = [];
  const tooLong: { line: number; preview: Buffer }[] = [];
  let chunkStart = 0;
  let chunkFirstLine = 2;
  let stored = 0;

  const close = (end: number, nextLine: number): void => {
    if (end > chunkStart) chunks.push({ start: chunkStart, end, firstLine: chunkFirstLine });
    chunkStart = end;
    chunkFirstLine = nextLine;
  };
  const onSegments = (segments: readonly Segment[]): void => {
    for (const segment of segments) {
      if (segment.kind === 'good') {
        tallyLines(segment.bytes, segment.firstLine, encoding);
        const end = segment.start + segment.bytes.length;
        if (end - chunkStart >= chunkBytes) close(end, segment.firstLine + segment.lines);
      } else if (segment.problem === 'record-too-long') {
        tooLong.push({ line: segment.line, preview: segment.preview });
        close(segment.start, segment.line);
        chunkStart = segment.end;
        chunkFirstLine = segment.line + segment.lines;
      } else if (segment.end - chunkStart >= chunkBytes) {
        close(segment.end, segment.line + segment.lines);
      }
    }
    // A line over the limit is being skipped: the chunk before it closes where it starts.
    const skipping = scanner?.skippingFrom;
    if (skipping !== undefined && skipping > chunkStart) {
      chunks.push({ start: chunkStart, end: skipping, firstLine: chunkFirstLine });
      chunkStart = skipping;
    }
  };
  const flush = async (): Promise<void> => {
    if (!holding) return;
    for (; stored < chunks.length; stored++) {
      const c = chunks[stored] as (typeof chunks)[number];
      await storeChunk(stored, pending.take(c.start, c.end), c.firstLine, header as Buffer);
    }
    pending.dropBefore(scanner?.skippingFrom !== undefined ? total : chunkStart);
  };

  try {
    for await (const piece of bytes) {
      let buf = piece as Buffer;
      contentHash.update(buf);
      const at = total;
      total += buf.length;
      if (!header) {
        const nl = buf.indexOf(0x0a);
        if (nl === -1) {
          headerParts.push(Buffer.from(buf));
          if (total > MAX_HEADER_BYTES) {
            throw new FileRejectedError(
              'not-csv',
              'la primera línea no termina en el primer MiB: no es un encabezado CSV',
            );
          }
          continue;
        }
        headerParts.push(buf.subarray(0, nl));
        const line = Buffer.concat(headerParts);
        header = line.at(-1) === 0x0d ? line.subarray(0, line.length - 1) : line;
        chunkStart = at + nl + 1;
        scanner = new RecordScanner(
          delimiterOf(header),
          maxRecordBytes,
          2,
          chunkStart,
          Math.min(chunkBytes, 64 * 1024),
        );
        buf = buf.subarray(nl + 1);
        pending.dropBefore(chunkStart);
      }
      if (holding) pending.append(buf);
      onSegments((scanner as RecordScanner).push(buf));
      await flush();
    }
  } catch (error) {
    throw asFileError(error);
  }
  if (total === 0) throw new FileRejectedError('empty', 'el archivo está vacío');
  if (!header) {
    const line = Buffer.concat(headerParts);
    header = line.at(-1) === 0x0d ? line.subarray(0, line.length - 1) : line;
    chunkStart = total;
  }
  if (scanner) onSegments(scanner.end());
  close(total, 0);
  await flush();
  return {
    uploadSha256: uploadHash.digest('hex'),
    uploadBytes,
    gzip,
    header,
    chunks,
    totalBytes: total,
    sha256: contentHash.digest('hex'),
    records: scanner?.records ?? 0,
    malformed: scanner?.malformed ?? 0,
    tooLong,
    encoding,
  };
}

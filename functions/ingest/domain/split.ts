/**
 * Splits a CSV byte stream into chunks at record boundaries, in one pass and constant memory. A
 * boundary is a newline outside quotes (a `"` toggles the quoted state, so RFC 4180's `""` escape
 * leaves it unchanged). Newline and quote bytes never occur inside UTF-8 multi-byte sequences, and
 * Windows-1252 is single-byte, so byte positions are safe split points for both encodings.
 */
import { createHash } from 'node:crypto';

const QUOTE = 0x22;
const LF = 0x0a;
const MAX_HEADER_BYTES = 1024 * 1024;

export interface ChunkPlan {
  /** Byte offset of the chunk's first byte in the (decompressed) file. */
  readonly start: number;
  /** Byte offset one past the chunk's last byte. */
  readonly end: number;
  /** Physical line number (1-based) of the chunk's first line in the file. */
  readonly firstLine: number;
}

export interface SplitResult {
  /** The header line (without its line break). */
  readonly header: Buffer;
  readonly chunks: readonly ChunkPlan[];
  readonly totalBytes: number;
  /** SHA-256 of the (decompressed) content, for idempotency. */
  readonly sha256: string;
}

export class HeaderTooLongError extends Error {
  override readonly name = 'HeaderTooLongError';
}

export class CsvSplitter {
  private position = 0;
  private line = 1;
  private inQuotes = false;
  private readonly headerParts: Buffer[] = [];
  private headerDone = false;
  private chunkStart = 0;
  private chunkFirstLine = 2;
  private readonly chunks: ChunkPlan[] = [];
  private readonly hash = createHash('sha256');

  /**
   * @param chunkBytes target chunk size; a chunk ends at the first record boundary past it.
   * @param onChunk called with each chunk as soon as it is closed (to stream chunks elsewhere).
   */
  constructor(
    private readonly chunkBytes: number,
    private readonly onChunk?: (chunk: ChunkPlan) => void,
  ) {}

  feed(bytes: Buffer): void {
    this.hash.update(bytes);
    let i = 0;
    while (i < bytes.length) {
      const newline = bytes.indexOf(LF, i);
      const quote = bytes.indexOf(QUOTE, i);
      if (quote !== -1 && (newline === -1 || quote < newline)) {
        this.inQuotes = !this.inQuotes;
        i = quote + 1;
        continue;
      }
      if (newline === -1) break;
      this.line++;
      i = newline + 1;
      if (this.inQuotes) continue;
      const absolute = this.position + i;
      if (!this.headerDone) {
        this.headerParts.push(Buffer.from(bytes.subarray(0, newline)));
        this.headerDone = true;
        this.chunkStart = absolute;
        this.chunkFirstLine = this.line;
      } else if (absolute - this.chunkStart >= this.chunkBytes) {
        this.close(absolute);
      }
    }
    if (!this.headerDone) {
      this.headerParts.push(Buffer.from(bytes));
      if (this.position + bytes.length > MAX_HEADER_BYTES) {
        throw new HeaderTooLongError('no line break in the first MiB: the first line is not a CSV header');
      }
    }
    this.position += bytes.length;
  }

  finish(): SplitResult {
    if (!this.headerDone) {
      this.headerDone = true;
      this.chunkStart = this.position;
    }
    if (this.position > this.chunkStart) this.close(this.position);
    const header = Buffer.concat(this.headerParts);
    return {
      header: header.at(-1) === 0x0d ? header.subarray(0, header.length - 1) : header,
      chunks: this.chunks,
      totalBytes: this.position,
      sha256: this.hash.digest('hex'),
    };
  }

  private close(end: number): void {
    const chunk = { start: this.chunkStart, end, firstLine: this.chunkFirstLine };
    this.chunks.push(chunk);
    this.onChunk?.(chunk);
    this.chunkStart = end;
    this.chunkFirstLine = this.line;
  }
}

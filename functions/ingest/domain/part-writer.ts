/**
 * Writes many line streams (one per shuffle bucket, comuna, …) through a bounded buffer: when the
 * lines held pass `maxBufferedChars`, the largest stream is written out as its next numbered part.
 * Memory stays under the bound however many lines go through.
 *
 * Lines are held as UTF-8 bytes outside the JavaScript heap: a chunk task buffers megabytes of
 * lines, and as strings they outlived the young generation and were copied by the collector.
 */
import type { ObjectStore } from '../../shared/domain/object-store';

interface StreamBuffer {
  bytes: Buffer;
  length: number;
  chars: number;
  parts: number;
}

const INITIAL_BYTES = 64 * 1024;

export class PartWriter<K extends string | number> {
  private readonly buffers = new Map<K, StreamBuffer>();
  private buffered = 0;
  readonly written: string[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly keyOf: (stream: K, part: number) => string,
    private readonly maxBufferedChars = 8 * 1024 * 1024,
  ) {}

  /** Adds a line; returns a promise only when the buffer had to be written out (await it then). */
  add(stream: K, line: string): Promise<void> | undefined {
    let buffer = this.buffers.get(stream);
    if (!buffer) {
      buffer = { bytes: Buffer.allocUnsafe(INITIAL_BYTES), length: 0, chars: 0, parts: 0 };
      this.buffers.set(stream, buffer);
    }
    // A UTF-16 code unit takes at most three bytes in UTF-8.
    const needed = buffer.length + 3 * line.length + 1;
    if (needed > buffer.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * buffer.bytes.length));
      buffer.bytes.copy(grown, 0, 0, buffer.length);
      buffer.bytes = grown;
    }
    buffer.length += buffer.bytes.write(line, buffer.length, 'utf8');
    buffer.bytes[buffer.length++] = 0x0a;
    buffer.chars += line.length + 1;
    this.buffered += line.length + 1;
    return this.buffered > this.maxBufferedChars ? this.flushLargest() : undefined;
  }

  /** Writes every stream's remaining lines. */
  async close(): Promise<void> {
    for (const stream of this.buffers.keys()) await this.flush(stream);
  }

  private async flushLargest(): Promise<void> {
    let largest: K | undefined;
    let size = -1;
    for (const [stream, b] of this.buffers) {
      if (b.chars > size) {
        size = b.chars;
        largest = stream;
      }
    }
    if (largest !== undefined) await this.flush(largest);
  }

  private async flush(stream: K): Promise<void> {
    const buffer = this.buffers.get(stream);
    if (!buffer || buffer.length === 0) return;
    const key = this.keyOf(stream, buffer.parts);
    await this.store.putLines(key, buffer.bytes.subarray(0, buffer.length));
    this.written.push(key);
    this.buffered -= buffer.chars;
    buffer.parts++;
    // The store may keep the bytes it was given: the next lines go to a new buffer.
    buffer.bytes = Buffer.allocUnsafe(INITIAL_BYTES);
    buffer.length = 0;
    buffer.chars = 0;
  }
}

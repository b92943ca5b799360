/**
 * Writes many line streams (one per shuffle bucket, comuna, …) through a bounded buffer: when the
 * lines held pass `maxBufferedChars`, the largest stream is written out as its next numbered part.
 * Memory stays under the bound however many lines go through.
 */
import type { ObjectStore } from './ports';

export class PartWriter<K extends string | number> {
  private readonly buffers = new Map<K, { lines: string[]; chars: number; parts: number }>();
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
      buffer = { lines: [], chars: 0, parts: 0 };
      this.buffers.set(stream, buffer);
    }
    buffer.lines.push(line);
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
    if (!buffer || buffer.lines.length === 0) return;
    const key = this.keyOf(stream, buffer.parts);
    await this.store.putLines(key, buffer.lines);
    this.written.push(key);
    this.buffered -= buffer.chars;
    buffer.parts++;
    buffer.lines = [];
    buffer.chars = 0;
  }
}

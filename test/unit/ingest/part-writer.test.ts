import { describe, expect, it } from 'vitest';
import { PartWriter } from '../../../functions/ingest/domain/part-writer';
import type { ObjectStore } from '../../../functions/shared/domain/object-store';

function capturingStore(): { store: ObjectStore; objects: Map<string, Buffer> } {
  const objects = new Map<string, Buffer>();
  const store = {
    putLines: async (key: string, lines: readonly string[] | Buffer) => {
      objects.set(key, Buffer.from(Buffer.isBuffer(lines) ? lines : `${lines.join('\n')}\n`));
    },
  } as unknown as ObjectStore;
  return { store, objects };
}

describe('PartWriter', () => {
  it('writes each stream, part after part, as the UTF-8 of its lines joined by line breaks', async () => {
    const { store, objects } = capturingStore();
    const writer = new PartWriter<string>(store, (s, part) => `${s}/${part}`, 100);
    const lines: Record<string, string[]> = { a: [], b: [] };
    const texts = ['plain', 'Ñandú Muñoz', '€ “x”', 'emoji 😀', 'lone \ud800 surrogate', 'x'.repeat(70), ''];
    for (let i = 0; i < 60; i++) {
      const stream = i % 3 === 0 ? 'b' : 'a';
      const line = `${i} ${texts[i % texts.length]}`;
      lines[stream]?.push(line);
      const flushing = writer.add(stream, line);
      if (flushing) await flushing;
    }
    await writer.close();
    for (const stream of ['a', 'b']) {
      const parts = writer.written.filter((k) => k.startsWith(`${stream}/`));
      expect(parts.length).toBeGreaterThan(1);
      const joined = Buffer.concat(parts.map((k) => objects.get(k) as Buffer));
      expect(joined.equals(Buffer.from(`${lines[stream]?.join('\n')}\n`))).toBe(true);
    }
    // Parts close when the characters held pass the bound: the first part of `a` is whole lines.
    expect(objects.get('a/0')?.toString().endsWith('\n')).toBe(true);
  });
});

import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../../../functions/ingest/domain/csv-parser';
import { CsvRecordParser } from '../../../functions/ingest/domain/csv-parser';
import type { CsvLayout } from '../../../functions/ingest/domain/csv-reader';
import { decodeWindows1252, readRows } from '../../../functions/ingest/domain/csv-reader';

describe('Windows-1252 decoding', () => {
  it('gives what iconv-lite gives for every byte value', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, b) => b));
    expect(decodeWindows1252(all)).toBe(iconv.decode(all, 'windows-1252'));
    for (let b = 0; b < 256; b++) {
      const one = Buffer.from([0x41, b, 0x42]);
      expect(decodeWindows1252(one)).toBe(iconv.decode(one, 'windows-1252'));
    }
    const plain = Buffer.from('Ñandú;Muñoz;ÁÉÍÓÚ', 'latin1');
    expect(decodeWindows1252(plain)).toBe('Ñandú;Muñoz;ÁÉÍÓÚ');
  });

  it('reads rows of random bytes as iconv-lite text, each line in its own encoding, however the bytes arrive', async () => {
    const layout: CsvLayout = {
      encoding: 'windows-1252',
      delimiter: ';',
      gzip: false,
      header: ['A', 'B', 'C'],
      columns: ['A', 'B', 'C'],
      unknownColumns: [],
    };
    const lines: string[] = [];
    let seed = 11;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return (seed >>> 8) % n;
    };
    const cell = (): Buffer =>
      Buffer.from(
        Array.from({ length: next(12) }, () => {
          const b = next(256);
          return b === 0x3b || b === 0x0a || b === 0x0d || b === 0x22 || b === 0x00 ? 0x78 : b;
        }),
      );
    const rows: Buffer[] = [];
    for (let i = 0; i < 500; i++) {
      const cells = [cell(), cell(), cell()];
      rows.push(
        Buffer.concat([
          cells[0],
          Buffer.from(';'),
          cells[1],
          Buffer.from(';'),
          cells[2],
          Buffer.from('\r\n'),
        ] as Buffer[]),
      );
      // Each line is read by what its bytes are: UTF-8 when they are valid UTF-8, else Windows-1252.
      const encoding = isUtf8(rows.at(-1) as Buffer) ? 'utf8' : 'windows-1252';
      lines.push(cells.map((c) => iconv.decode(c, encoding)).join('|'));
    }
    const bytes = Buffer.concat(rows);
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + next(300);
      pieces.push(bytes.subarray(at, at + size));
      at += size;
    }
    const read: string[] = [];
    const numbers: number[] = [];
    for await (const row of readRows(Readable.from(pieces), layout, { maxFieldChars: 100 }, 10)) {
      read.push(row.fields.join('|'));
      numbers.push(row.line);
    }
    expect(read).toEqual(lines);
    expect(numbers[0]).toBe(10);
  });
});

describe('CsvRecordParser on long runs without quotes', () => {
  it('finds a quoted record after many plain lines, in any piece size, numbering lines from firstLine', () => {
    const plain = Array.from({ length: 300 }, (_, i) => `${i};b;c`).join('\n');
    const text = `${plain}\n1;"x;\ny";2\n3;4;5\n`;
    for (const size of [1, 7, 64, 1000, text.length]) {
      const parser = new CsvRecordParser(';', 10_000, 5);
      const out: ParsedRecord[] = [];
      for (let at = 0; at < text.length; at += size) parser.push(text.slice(at, at + size), out);
      parser.end(out);
      expect(out).toHaveLength(302);
      expect(out[300]).toEqual({ fields: ['1', 'x;\ny', '2'], line: 305 });
      expect(out[301]).toEqual({ fields: ['3', '4', '5'], line: 307 });
    }
  });
});

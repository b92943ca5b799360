/**
 * The record scanner decides from a record's own bytes, so the planner, a chunk task and the
 * single-pass reader agree whatever pieces the stream arrives in; and for well-formed CSV it hands
 * the parser exactly the records the parser finds on its own.
 */
import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../../../functions/ingest/domain/csv-parser';
import { CsvRecordParser } from '../../../functions/ingest/domain/csv-parser';
import type { Segment } from '../../../functions/ingest/domain/record-scanner';
import { RecordScanner } from '../../../functions/ingest/domain/record-scanner';

function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1_103_515_245 + 12_345) & 0x7fffffff;
    return (s >>> 8) % n;
  };
}

function scan(bytes: Buffer, sizes: (n: number) => number, max: number): Segment[] {
  const scanner = new RecordScanner(';', max, 2, 0);
  const out: Segment[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + sizes(60);
    out.push(...scanner.push(bytes.subarray(at, at + size)));
    at += size;
  }
  out.push(...scanner.end());
  return out;
}

/** What a scan found: each malformed record, and the good records' total. */
function summary(segments: readonly Segment[]): { bad: string[]; good: number; lines: number } {
  let good = 0;
  let lines = 0;
  const bad: string[] = [];
  for (const s of segments) {
    if (s.kind === 'good') {
      good += s.records;
      lines += s.lines;
    } else {
      bad.push(`${s.line}:${s.start}-${s.end}:${s.problem}`);
      lines += s.lines;
    }
  }
  return { bad, good, lines };
}

/** Contents of well-formed quoted fields: delimiters, line breaks and escaped quotes inside. */
const QUOTED = ['', 'x', 'x;y', 'a\nb', 'q""q', '""', 'a\r\nb;""'];

describe('RecordScanner', () => {
  it('finds the same records and malformed ones however the bytes arrive', () => {
    const next = rng(5);
    const alphabet = ['a', 'b', ';', '"', '"', '\n', '\n', '\r', '\u0000', 'ñ'];
    for (let trial = 0; trial < 200; trial++) {
      const text = Array.from({ length: 20 + next(200) }, () => alphabet[next(alphabet.length)]).join('');
      const bytes = Buffer.from(text, 'latin1');
      const whole = summary(scan(bytes, () => bytes.length, 40));
      for (let k = 0; k < 3; k++) expect(summary(scan(bytes, rng(trial * 7 + k), 40))).toEqual(whole);
      expect(whole.lines).toBe(text.split('\n').length - 1);
    }
  });

  it('hands the parser the records it finds alone in well-formed CSV', () => {
    const next = rng(9);
    for (let trial = 0; trial < 100; trial++) {
      const rows = Array.from({ length: 1 + next(30) }, () =>
        Array.from({ length: 3 }, () =>
          next(3) === 0 ? `"${QUOTED[next(QUOTED.length)]}"` : 'abc'.slice(0, next(4)),
        ).join(';'),
      );
      const text = `${rows.join('\n')}\n`;
      const alone: ParsedRecord[] = [];
      const parser = new CsvRecordParser(';', 1 << 20, 2);
      parser.push(text, alone);
      parser.end(alone);
      const segments = scan(Buffer.from(text), rng(trial), 1 << 20);
      expect(segments.every((s) => s.kind === 'good')).toBe(true);
      const through: ParsedRecord[] = [];
      const second = new CsvRecordParser(';', 1 << 20, 2);
      for (const s of segments) if (s.kind === 'good') second.push(s.bytes.toString('latin1'), through);
      second.end(through);
      expect(through).toEqual(alone);
    }
  });

  it('skips a line over the limit without holding it, and goes on at the next line', () => {
    const scanner = new RecordScanner(';', 100, 2, 0);
    const out: Segment[] = [];
    out.push(...scanner.push(Buffer.from('a;b\n')));
    for (let i = 0; i < 50; i++) {
      out.push(...scanner.push(Buffer.alloc(1000, 0x41)));
      expect(scanner.skippingFrom).toBe(4);
    }
    out.push(...scanner.push(Buffer.from('\nc;d\n')));
    out.push(...scanner.end());
    expect(summary(out)).toEqual({ bad: ['3:4-50005:record-too-long'], good: 2, lines: 3 });
  });
});

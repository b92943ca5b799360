/**
 * The hand-written CSV parser against `csv-parse` on seeded random quoted input: quotes, doubled
 * quotes, delimiters and line breaks inside quotes, CRLF and LF, empty fields, a last line with or
 * without its break, non-ASCII text. Both read the whole text alike; so does the parser fed the
 * text in pieces cut at random places; and so does the cloud's reading in chunks: the planner's
 * pass (`scanFile`) splitting the bytes, arriving in pieces cut at random byte offsets, into
 * chunks at record boundaries, each then read by the chunk tasks' reader from its own first line.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../../../functions/ingest/domain/csv-parser';
import { CsvRecordParser } from '../../../functions/ingest/domain/csv-parser';
import type { CsvLayout } from '../../../functions/ingest/domain/csv-reader';
import { readRowBatches } from '../../../functions/ingest/domain/csv-reader';
import { scanFile } from '../../../functions/ingest/domain/run/plan-scan';

/** mulberry32: a small seeded generator, so that any failing case can be replayed by its seed. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
}

const PLAIN = ['a', 'b', 'Z', '0', '7', ' ', 'ñ', 'é', 'Ü', '-', '.', ','];
const QUOTED = [...PLAIN, ';', '""', '\n', '\r\n', '"";""'];

function field(random: (n: number) => number): string {
  const kind = random(4);
  if (kind === 0) return '';
  const length = 1 + random(8);
  if (kind === 1) return Array.from({ length }, () => PLAIN[random(PLAIN.length)]).join('');
  return `"${Array.from({ length: random(2) === 0 ? 0 : length }, () => QUOTED[random(QUOTED.length)]).join('')}"`;
}

/** A header and random records (at least two fields each, so that no record is an empty line). */
function randomCsv(seed: number): { text: string; lines: number[] } {
  const random = rng(seed);
  const rows = 1 + random(60);
  const columns = 2 + random(5);
  let text = `${Array.from({ length: columns }, (_, i) => `c${i}`).join(';')}\n`;
  let line = 2;
  const lines: number[] = [];
  for (let r = 0; r < rows; r++) {
    const count = random(5) === 0 ? 2 + random(6) : columns;
    const record = Array.from({ length: count }, () => field(random)).join(';');
    lines.push(line);
    line += record.split('\n').length;
    const last = r === rows - 1;
    text += record + (last && random(3) === 0 ? '' : random(2) === 0 ? '\r\n' : '\n');
  }
  return { text, lines };
}

/** What csv-parse reads, without the header. */
function reference(text: string): string[][] {
  const records = parse(text, {
    delimiter: ';',
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    skip_empty_lines: false,
  }) as string[][];
  return records.slice(1);
}

function parsedWhole(text: string, pieces?: (n: number) => number): ParsedRecord[] {
  const parser = new CsvRecordParser(';', Number.MAX_SAFE_INTEGER);
  const out: ParsedRecord[] = [];
  for (let at = 0; at < text.length; ) {
    const size = pieces ? 1 + pieces(40) : text.length;
    parser.push(text.slice(at, at + size), out);
    at += size;
  }
  parser.end(out);
  return out.slice(1);
}

function inPieces(bytes: Buffer, random: (n: number) => number): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + random(97);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(pieces);
}

/** The cloud's reading: the planner's chunks at record boundaries, each read on its own. */
async function readInChunks(bytes: Buffer, seed: number): Promise<{ fields: string[]; line: number }[]> {
  const random = rng(seed * 31 + 7);
  const held: { bytes: Buffer; firstLine: number }[] = [];
  const scan = await scanFile(
    inPieces(bytes, random),
    1 + random(400),
    { maxFieldChars: 1_000_000, maxDecompressedBytes: 1 << 30, maxRecordBytes: 1 << 20 },
    async (_index, chunk, firstLine) => void held.push({ bytes: chunk, firstLine }),
    'all',
  );
  expect(scan.malformed).toBe(0);
  const layout: CsvLayout = {
    encoding: 'utf-8',
    delimiter: ';',
    gzip: false,
    header: [],
    columns: Array.from({ length: 16 }, () => null),
    unknownColumns: [],
  };
  const rows: { fields: string[]; line: number }[] = [];
  for (const chunk of held) {
    const options = { maxFieldChars: 1_000_000, maxRecordBytes: 1 << 20 };
    for await (const batch of readRowBatches(
      inPieces(chunk.bytes, random),
      layout,
      options,
      chunk.firstLine,
    )) {
      for (const row of batch) {
        expect(row.problem).toBeUndefined();
        rows.push({ fields: [...row.fields], line: row.line });
      }
    }
  }
  return rows;
}

const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

describe('CsvRecordParser against csv-parse', () => {
  it('reads every seeded random file as csv-parse does, whole and in pieces, with its lines', () => {
    for (const seed of SEEDS) {
      const { text, lines } = randomCsv(seed);
      const expected = reference(text);
      const whole = parsedWhole(text);
      expect(
        whole.map((r) => r.fields),
        `seed ${seed}`,
      ).toEqual(expected);
      expect(
        whole.map((r) => r.line),
        `seed ${seed}`,
      ).toEqual(lines);
      expect(parsedWhole(text, rng(seed + 1_000)), `seed ${seed}`).toEqual(whole);
    }
  });

  it('reads the same records when the planner splits the file into chunks, as chunk tasks read them', async () => {
    for (const seed of SEEDS) {
      const { text, lines } = randomCsv(seed);
      const rows = await readInChunks(Buffer.from(text, 'utf8'), seed);
      expect(
        rows.map((r) => r.fields),
        `seed ${seed}`,
      ).toEqual(reference(text));
      expect(
        rows.map((r) => r.line),
        `seed ${seed}`,
      ).toEqual(lines);
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../../../functions/ingest/domain/csv-parser';
import { CsvRecordParser, CsvSyntaxError } from '../../../functions/ingest/domain/csv-parser';

function parseAll(text: string, pieces: number[] = [text.length]): ParsedRecord[] {
  const parser = new CsvRecordParser(';', 10_000);
  const out: ParsedRecord[] = [];
  let pos = 0;
  for (const size of pieces) {
    parser.push(text.slice(pos, pos + size), out);
    pos += size;
  }
  if (pos < text.length) parser.push(text.slice(pos), out);
  parser.end(out);
  return out;
}

const SAMPLE = 'a;b;c\r\n1;"dos;\r\ncon salto";3\n\n4;"""citado""";\n"x";;"y"\n5;6;7';

describe('CsvRecordParser', () => {
  it('reads quotes, escaped quotes, quoted delimiters and line breaks, CRLF, empty lines and a last line without break', () => {
    expect(parseAll(SAMPLE)).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', 'dos;\r\ncon salto', '3'], line: 2 },
      { fields: ['4', '"citado"', ''], line: 5 },
      { fields: ['x', '', 'y'], line: 6 },
      { fields: ['5', '6', '7'], line: 7 },
    ]);
  });

  it('gives the same records however the text is cut into pieces', () => {
    const whole = parseAll(SAMPLE);
    for (let cut = 1; cut < SAMPLE.length; cut++) {
      expect(parseAll(SAMPLE, [cut])).toEqual(whole);
    }
    expect(
      parseAll(
        SAMPLE,
        Array.from({ length: SAMPLE.length }, () => 1),
      ),
    ).toEqual(whole);
  });

  it('refuses malformed quoting with the line where it happens', () => {
    expect(() => parseAll('a;b\n1;x"y\n')).toThrow(CsvSyntaxError);
    expect(() => parseAll('a;b\n1;x"y\n')).toThrow(/línea 2: comilla dentro de un campo sin comillas/);
    expect(() => parseAll('a;b\n1;"x"y\n')).toThrow(/texto después de las comillas de cierre/);
    expect(() => parseAll('a;b\n1;"sin cerrar\n2;3\n')).toThrow(/comillas sin cerrar/);
  });

  it('refuses a record longer than its limit instead of buffering without end', () => {
    const parser = new CsvRecordParser(';', 100);
    expect(() => parser.push(`1;"${'x'.repeat(200)}`, [])).toThrow(/más de 100 caracteres/);
  });
});

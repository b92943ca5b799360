import { describe, expect, it } from 'vitest';
import { parseDate, toIsoDate } from '../../../functions/shared/domain/dates';
import { checkDigit, parseRun } from '../../../functions/shared/domain/run';

/** The date reading as first written: two regular expressions and a `Date` round trip. */
function referenceParseDate(value: string): string | undefined {
  const text = value.trim();
  let match = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(text);
  let y: number;
  let m: number;
  let d: number;
  if (match) {
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return undefined;
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return toIsoDate(date);
}

/** Random text over the characters dates are written with, plus some that they are not. */
function* dateLikeTexts(count: number): Generator<string> {
  const alphabet = '0123456789-/. x\u00a0';
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const length = next(14);
    let text = '';
    for (let k = 0; k < length; k++) text += alphabet[next(alphabet.length)];
    yield text;
  }
}

describe('parseDate reads as the regular-expression reading did', () => {
  it('on every day of several years, in each accepted spelling', () => {
    for (const year of [100, 999, 1900, 2000, 2023, 2024, 2100, 9999]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const yy = String(year).padStart(4, '0');
          const spellings = [
            `${d}-${m}-${yy}`,
            `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${yy}`,
            `${d}.${String(m).padStart(2, '0')}-${yy}`,
            `${yy}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
            ` ${yy}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}\t`,
          ];
          for (const text of spellings) expect(parseDate(text), text).toBe(referenceParseDate(text));
        }
      }
    }
  });

  it('on years below 100, extra digits and odd shapes', () => {
    const texts = [
      '01-01-0099',
      '0050-01-01',
      '01-01-0100',
      '001-01-2020',
      '01-001-2020',
      '01-01-20200',
      '2020-1-01',
    ];
    for (const text of [...texts, '', ' ', '2024/02/29', '29-02-2024x', '٢٠٢٠-01-01']) {
      expect(parseDate(text), text).toBe(referenceParseDate(text));
    }
  });

  it('on random text made of digits and separators', () => {
    for (const text of dateLikeTexts(50_000)) expect(parseDate(text), text).toBe(referenceParseDate(text));
  });
});

/** The RUN reading as first written, for comparison. */
function referenceParseRun(value: string, separateDv?: string): ReturnType<typeof parseRun> {
  const cleaned = value.trim().replace(/[.\s]/g, '').toUpperCase();
  if (cleaned === '') return { ok: false, reason: 'RUN vacío' };
  let bodyText: string;
  let dvText: string;
  if (separateDv !== undefined) {
    bodyText = cleaned.replace(/-$/, '');
    dvText = separateDv.trim().toUpperCase();
  } else if (cleaned.includes('-')) {
    const parts = cleaned.split('-');
    if (parts.length !== 2) return { ok: false, reason: `RUN mal formado: "${value}"` };
    bodyText = parts[0] ?? '';
    dvText = parts[1] ?? '';
  } else {
    bodyText = cleaned.slice(0, -1);
    dvText = cleaned.slice(-1);
  }
  if (!/^\d+$/.test(bodyText)) return { ok: false, reason: `RUN con caracteres no numéricos: "${value}"` };
  if (!/^[0-9K]$/.test(dvText)) return { ok: false, reason: `dígito verificador inválido: "${dvText}"` };
  const body = Number(bodyText);
  if (body < 1_000 || body > 99_999_999) return { ok: false, reason: `RUN fuera de rango: ${body}` };
  const expected = checkDigit(body);
  if (expected !== dvText) {
    return {
      ok: false,
      reason: `dígito verificador no corresponde (${body}-${dvText}, se esperaba ${expected})`,
    };
  }
  return { ok: true, run: { body, dv: expected } };
}

describe('parseRun reads as before', () => {
  it('on plain and odd bodies, with and without a separate check digit', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 3_000; i++) {
      const body = next(120_000_000);
      const right = checkDigit(Math.max(body, 1));
      const bodies = [String(body), String(body).padStart(8, '0'), `${body}-`, ` ${body}`, `${body}${right}`];
      bodies.push(`${body}-${right}`, String(body).slice(0, next(9)), `${String(body).slice(0, 3)}.${right}`);
      for (const dv of [undefined, right, right.toLowerCase(), '0', 'K', ' 5', '', '55', 'x']) {
        for (const text of bodies)
          expect(parseRun(text, dv), `${text} ${dv}`).toEqual(referenceParseRun(text, dv));
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalRun, checkDigit, formatRun, parseRun } from '../../../functions/shared/domain/run';

describe('RUN check digit (modulo 11)', () => {
  it.each([
    [12_345_678, '5'],
    [11_111_111, '1'],
    [22_222_222, '2'],
    // By hand: 6·2 = 12, 12 mod 11 = 1, 11 − 1 = 10 → K.
    [6_000_000, 'K'],
    // By hand: 4·2 + 1·3 = 11, 11 mod 11 = 0, 11 − 0 = 11 → 0.
    [10_000_004, '0'],
    [10_000_013, 'K'],
  ])('computes the check digit of %i as %s', (body, dv) => {
    expect(checkDigit(body)).toBe(dv);
  });

  it('restarts the factors at 2 after 7', () => {
    // 7·2 + 6·3 + 5·4 + 4·5 + 3·6 + 2·7 + 1·2 = 106; 106 mod 11 = 7; 11 − 7 = 4.
    expect(checkDigit(1_234_567)).toBe('4');
  });
});

describe('parseRun', () => {
  it.each(['12.345.678-5', '12345678-5', '123456785', ' 12.345.678-5 '])('accepts %s', (text) => {
    const parsed = parseRun(text);
    expect(parsed).toEqual({ ok: true, run: { body: 12_345_678, dv: '5' } });
  });

  it('accepts a lower-case k and a separate check digit column', () => {
    expect(parseRun('6000000-k')).toEqual({ ok: true, run: { body: 6_000_000, dv: 'K' } });
    expect(parseRun('12345678', '5')).toEqual({ ok: true, run: { body: 12_345_678, dv: '5' } });
  });

  it('says why a RUN is refused', () => {
    const wrongDigit = parseRun('12.345.678-4');
    expect(wrongDigit.ok).toBe(false);
    if (!wrongDigit.ok) expect(wrongDigit.reason).toContain('se esperaba 5');
    expect(parseRun('')).toEqual({ ok: false, reason: 'RUN vacío' });
    expect(parseRun('12a45678-5').ok).toBe(false);
    expect(parseRun('12-3-4').ok).toBe(false);
    expect(parseRun('99-9').ok).toBe(false);
  });

  it('formats as 12.345.678-5 and canonicalises as 12345678-5', () => {
    const run = { body: 12_345_678, dv: '5' as const };
    expect(formatRun(run)).toBe('12.345.678-5');
    expect(canonicalRun(run)).toBe('12345678-5');
  });
});

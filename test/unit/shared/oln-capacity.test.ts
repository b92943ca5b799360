import { describe, expect, it } from 'vitest';
import { PILOT_COMUNAS } from '../../../functions/shared/domain/comunas';
import {
  capacityFor,
  capacityShare,
  parseOlnCapacity,
  STARTING_SHARE,
} from '../../../functions/shared/domain/oln-capacity';

describe('OLN capacity per comuna', () => {
  it('has a share for every pilot comuna', () => {
    for (const c of PILOT_COMUNAS) expect(capacityShare(c.cut)).toBeGreaterThan(0);
  });

  it("takes the configured share of the comuna's roster, at least one child", () => {
    const config = parseOlnCapacity(
      { comunas: { '01101': { share: 0.02 }, '13101': { share: 0.01 } } },
      'test',
    );
    expect(capacityFor('01101', 10_000, config)).toBe(200);
    expect(capacityFor('13101', 10_000, config)).toBe(100);
    expect(capacityFor('13101', 10, config)).toBe(1);
    expect(capacityFor('13101', 0, config)).toBe(0);
  });

  it('starts an office with no share of its own at the pilot share; refuses a comuna without an office and a share out of range', () => {
    const config = parseOlnCapacity({ comunas: { '01101': { share: 0.02 } } }, 'test');
    expect(capacityShare('13101', config)).toBe(STARTING_SHARE);
    expect(capacityFor('13101', 1000, config)).toBe(17);
    expect(() => capacityFor('13201', 100, config)).toThrow(/13201 has no OLN office/);
    expect(() => parseOlnCapacity({ comunas: { '99999': { share: 0.02 } } }, 'f.json')).toThrow(
      /f\.json: comunas\.99999: has no OLN office/,
    );
    expect(() => parseOlnCapacity({ comunas: { '01101': { share: 2 } } }, 'f.json')).toThrow(
      /f\.json: comunas\.01101\.share/,
    );
    expect(() => capacityFor('01101', -1, config)).toThrow(/whole number/);
  });
});

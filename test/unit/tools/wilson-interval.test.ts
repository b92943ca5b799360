import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../tools/train/metrics';

describe('wilsonInterval', () => {
  it('matches known values of the 95% Wilson score interval', () => {
    // 5 of 10: 0.2366–0.7634 (Wilson 1927; Newcombe 1998).
    const half = wilsonInterval(5, 10);
    expect(half?.low).toBeCloseTo(0.236589, 5);
    expect(half?.high).toBeCloseTo(0.763411, 5);
    // 81 of 263: 0.2553–0.3662 (Newcombe 1998, example).
    const newcombe = wilsonInterval(81, 263);
    expect(newcombe?.low).toBeCloseTo(0.2553, 4);
    expect(newcombe?.high).toBeCloseTo(0.3662, 4);
  });

  it('does not collapse to a point at 0 of n or n of n', () => {
    // At 0 of n the upper bound is z² / (n + z²); at n of n the lower bound is n / (n + z²).
    const none = wilsonInterval(0, 10);
    expect(none?.low).toBe(0);
    expect(none?.high).toBeCloseTo(3.8416 / 13.8416, 10);
    const all = wilsonInterval(10, 10);
    expect(all?.low).toBeCloseTo(10 / 13.8416, 10);
    expect(all?.high).toBe(1);
    const zeroOfForty = wilsonInterval(0, 40);
    expect(zeroOfForty?.high).toBeGreaterThan(0.08);
    expect(zeroOfForty?.high).toBeLessThan(0.09);
  });

  it('stays inside [0, 1], contains the observed rate and narrows as n grows', () => {
    for (const [x, n] of [
      [1, 3],
      [2, 50],
      [49, 50],
      [400, 19_983],
    ] as const) {
      const i = wilsonInterval(x, n);
      expect(i?.low).toBeGreaterThanOrEqual(0);
      expect(i?.high).toBeLessThanOrEqual(1);
      expect(i?.low).toBeLessThan(x / n);
      expect(i?.high).toBeGreaterThan(x / n);
    }
    const small = wilsonInterval(2, 10);
    const large = wilsonInterval(200, 1000);
    expect((large?.high ?? 1) - (large?.low ?? 0)).toBeLessThan((small?.high ?? 0) - (small?.low ?? 1));
    expect(wilsonInterval(0, 0)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { shuffleBucket } from '../../../../functions/ingest/domain/run/shuffle-format';
import { createPseudonymiser } from '../../../../functions/shared/domain/pseudonym';

describe('shuffle buckets', () => {
  it('send equal keys to one bucket and spread pseudonymised keys evenly', () => {
    const pseudonymiser = createPseudonymiser('44'.repeat(32));
    const buckets = 7;
    const counts = new Array<number>(buckets).fill(0);
    const n = 70_000;
    for (let body = 1_000_000; body < 1_000_000 + n; body++) {
      const key = `rsh|${pseudonymiser.child({ body, dv: '0' })}|`;
      const bucket = shuffleBucket(key, buckets);
      expect(shuffleBucket(key, buckets)).toBe(bucket);
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    // Each bucket within 5% of n / buckets (the binomial standard deviation is about 0.9%).
    for (const c of counts) expect(Math.abs(c - n / buckets) / (n / buckets)).toBeLessThan(0.05);
    expect(shuffleBucket('anything', 1)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import {
  auditAttribute,
  calibration,
  MIN_GROUP_REPORT,
  prAuc,
  ratioInterval,
  recallAtK,
} from '../../../tools/train/evaluation';
import { suppressedLine } from '../../../tools/train/model-card';

describe('evaluation', () => {
  it('computes average precision and recall at k', () => {
    // Ranked: 1 (pos), 2 (neg), 3 (pos): AP = (1/1 + 2/3) / 2.
    expect(prAuc([0.9, 0.8, 0.7], [1, 0, 1])).toBeCloseTo((1 + 2 / 3) / 2, 10);
    expect(recallAtK([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 1], 2)).toBeCloseTo(1 / 3, 10);
  });

  it('measures calibration error in equal-count bins', () => {
    const scores = [0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9];
    const perfect = calibration(scores, [0, 0, 0, 1, 1, 1, 1, 0], 2);
    expect(perfect.ece).toBeCloseTo(0.15, 10); // |0.1 − 0.25| and |0.9 − 0.75|, each half the rows
    expect(perfect.bins.map((b) => b.count)).toEqual([4, 4]);
  });

  it('compares error rates of each group with the largest and flags ratios outside 0.8–1.25', () => {
    const groups = [...Array(200).fill('a'), ...Array(100).fill('b'), ...Array(40).fill('c')];
    const labels = groups.map((_, i) => (i % 4 === 0 ? 1 : 0));
    // Group a: every tenth row selected; group b: every fifth row selected.
    const selected = groups.map((g, i) => (g === 'a' ? i % 10 === 0 : g === 'b' ? i % 5 === 0 : false));
    const audit = auditAttribute('grupo', groups, labels, selected);
    expect(audit.reference).toBe('a');
    const b = audit.groups.find((g) => g.group === 'b');
    expect(b?.pprDisparity).toBeCloseTo(2, 10);
    expect(b?.flagged).toBe(true);
    const c = audit.groups.find((g) => g.group === 'c');
    expect(Number.isNaN(c?.pprDisparity)).toBe(true);
    expect(c?.flagged).toBe(false);
  });

  it('gives each ratio a 95% interval and calls a flag confident only when it clears the range', () => {
    // 20/100 against 10/100: ratio 2, log-scale standard error sqrt(1/20 − 1/100 + 1/10 − 1/100).
    const interval = ratioInterval(20, 100, 10, 100);
    const se = Math.sqrt(1 / 20 - 1 / 100 + 1 / 10 - 1 / 100);
    expect(interval?.low).toBeCloseTo(2 * Math.exp(-1.96 * se), 10);
    expect(interval?.high).toBeCloseTo(2 * Math.exp(1.96 * se), 10);
    expect(ratioInterval(0, 100, 10, 100)).toBeUndefined();

    // Same rates at two sizes: selection 30% in group b against 15% in the reference a.
    const audit = (size: number) => {
      const groups = [...Array(2 * size).fill('a'), ...Array(size).fill('b')];
      const labels = groups.map(() => 0);
      const selected = groups.map((g, i) => (g === 'a' ? i % 20 < 3 : i % 10 < 3));
      return auditAttribute('grupo', groups, labels, selected, 10).groups.find((g) => g.group === 'b');
    };
    const small = audit(40); // 12 of 40 selected against 12 of 80
    const large = audit(4000);
    expect(small?.pprDisparity).toBeCloseTo(2, 10);
    expect(small?.flagged).toBe(true);
    expect(small?.confident).toBe(false);
    expect((small?.pprInterval?.low ?? 0) < 1.25).toBe(true);
    expect(large?.pprDisparity).toBeCloseTo(2, 10);
    expect(large?.confident).toBe(true);
    expect((large?.pprInterval?.low ?? 0) > 1.25).toBe(true);
  });

  it('gives every rate of a group its Wilson interval, which does not collapse at 0% or 100%', () => {
    // Group a: nobody selected; group b: everybody selected. Every tenth child has the outcome.
    const groups = [...Array(200).fill('a'), ...Array(50).fill('b')];
    const labels = groups.map((_, i) => (i % 10 === 0 ? 1 : 0));
    const selected = groups.map((g) => g === 'b');
    const audit = auditAttribute('grupo', groups, labels, selected);
    const a = audit.groups.find((g) => g.group === 'a');
    const b = audit.groups.find((g) => g.group === 'b');
    expect(a?.predictedPositiveRate).toBe(0);
    expect(a?.pprRateInterval?.low).toBe(0);
    expect(a?.pprRateInterval?.high).toBeGreaterThan(0.01); // 0 of 200: up to 1.9%
    expect(a?.fnrRateInterval?.high).toBe(1);
    expect(a?.fnrRateInterval?.low).toBeLessThan(0.9); // 20 of 20 at-risk children missed
    expect(b?.predictedPositiveRate).toBe(1);
    expect(b?.pprRateInterval?.high).toBe(1);
    expect(b?.pprRateInterval?.low).toBeLessThan(0.95);
    expect(b?.prevalenceInterval?.low).toBeLessThan(b?.prevalence ?? 0);
    expect(b?.prevalenceInterval?.high).toBeGreaterThan(b?.prevalence ?? 1);
    expect(b?.selectedCount).toBe(50);
  });

  it('suppresses groups under the minimum and rates over too few children, and says which', () => {
    const groups = [
      ...Array(300).fill('a'),
      ...Array(MIN_GROUP_REPORT).fill('b'),
      ...Array(MIN_GROUP_REPORT - 1).fill('c'),
      ...Array(3).fill('d'),
    ];
    // One child in ten has the outcome: group b (rows 300–329) has 3, too few for its FNR.
    const labels = groups.map((_, i) => (i % 10 === 0 ? 1 : 0));
    const selected = groups.map((_, i) => i % 7 === 0);
    const audit = auditAttribute('grupo', groups, labels, selected, 10);
    expect(audit.groups.map((g) => g.group)).toEqual(['a', 'b']);
    expect(audit.suppressed.map((g) => [g.group, g.count])).toEqual([
      ['c', MIN_GROUP_REPORT - 1],
      ['d', 3],
    ]);
    expect(audit.suppressed[0]?.reason).toContain(`fewer than ${MIN_GROUP_REPORT}`);
    const b = audit.groups.find((g) => g.group === 'b');
    expect(b?.positives).toBe(3);
    expect(Number.isNaN(b?.falseNegativeRate)).toBe(true);
    expect(b?.fnrRateInterval).toBeUndefined();
    expect(Number.isNaN(b?.fnrDisparity)).toBe(true);
    expect(Number.isFinite(b?.predictedPositiveRate)).toBe(true);
    expect(b?.pprRateInterval).toBeDefined();

    const line = suppressedLine(audit);
    expect(line).toContain(`fewer than ${MIN_GROUP_REPORT} children`);
    expect(line).toContain(`c (${MIN_GROUP_REPORT - 1})`);
    expect(line).toContain('d (3)');
    const none = auditAttribute('grupo', Array(40).fill('a'), Array(40).fill(0), Array(40).fill(false));
    expect(suppressedLine(none)).toBe(
      `No group suppressed (every group has at least ${MIN_GROUP_REPORT} children).`,
    );
  });
});

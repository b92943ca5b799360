import { describe, expect, it } from 'vitest';
import { capacityFor, parseOlnCapacity } from '../../../functions/shared/domain/oln-capacity';
import type { Dataset } from '../../../tools/train/dataset';
import {
  comunaCapacities,
  selectAtCapacity,
  selectionScores,
  stratifiedPrecisionError,
} from '../../../tools/train/evaluation';
import { comunaPrecision, evaluatePooled } from '../../../tools/train/test-cohorts';

const config = parseOlnCapacity({ comunas: { '01101': { share: 0.04 }, '13101': { share: 0.01 } } }, 'test');
const rule = (comuna: string, children: number): number => capacityFor(comuna, children, config);

/** Rows 0..n−1 of comuna `a` and then m of comuna `b`, every `b` score below every `a` score. */
function twoComunas(n: number, m: number): { scores: Float64Array; comunas: string[] } {
  const scores = new Float64Array(n + m);
  const comunas: string[] = [];
  for (let i = 0; i < n; i++) {
    scores[i] = 0.5 + (i % 97) / 200;
    comunas.push('01101');
  }
  for (let i = 0; i < m; i++) {
    scores[n + i] = 0.01 + (i % 89) / 400;
    comunas.push('13101');
  }
  return { scores, comunas };
}

const selectedIn = (selected: Uint8Array, comunas: readonly string[], comuna: string): number =>
  comunas.reduce((s, c, i) => s + (c === comuna && selected[i] ? 1 : 0), 0);

describe('selectAtCapacity', () => {
  it('gives each comuna the head of its own ranking at its own capacity, not a share of a global top', () => {
    const { scores, comunas } = twoComunas(1000, 3000);
    const selected = selectAtCapacity(scores, comunas, rule);
    // 4% of 1,000 and 1% of 3,000, though every child of 13101 scores below every child of 01101.
    expect(selectedIn(selected, comunas, '01101')).toBe(40);
    expect(selectedIn(selected, comunas, '13101')).toBe(30);
    // Within a comuna, the head is its highest scores.
    const lowestTaken = Math.min(
      ...[...selected.keys()]
        .filter((i) => selected[i] && comunas[i] === '13101')
        .map((i) => scores[i] as number),
    );
    const highestLeft = Math.max(
      ...[...selected.keys()]
        .filter((i) => !selected[i] && comunas[i] === '13101')
        .map((i) => scores[i] as number),
    );
    expect(lowestTaken).toBeGreaterThanOrEqual(highestLeft);
  });

  it('takes more children of a comuna whose share is higher, at the same size', () => {
    const scores = Float64Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 4000) / 4000);
    const comunas = Array.from({ length: 4000 }, (_, i) => (i < 2000 ? '01101' : '13101'));
    const selected = selectAtCapacity(scores, comunas, rule);
    expect(selectedIn(selected, comunas, '01101')).toBe(80);
    expect(selectedIn(selected, comunas, '13101')).toBe(20);
    expect(comunaCapacities(comunas, rule)).toEqual([
      { comuna: '01101', children: 2000, capacity: 80 },
      { comuna: '13101', children: 2000, capacity: 20 },
    ]);
  });

  it('breaks ties by row, the same way on every call, whatever the order of the comunas', () => {
    const scores = new Float64Array(200).fill(0.3);
    const comunas = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? '13101' : '01101'));
    const selected = selectAtCapacity(scores, comunas, rule);
    // 1% of 100 → 1, 4% of 100 → 4: the first rows of each comuna.
    expect([...selected.keys()].filter((i) => selected[i])).toEqual([0, 1, 3, 5, 7]);
    expect(selectAtCapacity(scores, comunas, rule)).toEqual(selected);
  });

  it('uses the committed configuration by default', () => {
    const comunas = Array.from({ length: 1000 }, () => '13101');
    const scores = Float64Array.from({ length: 1000 }, (_, i) => i / 1000);
    const selected = selectAtCapacity(scores, comunas);
    expect(selectionScores(selected, new Uint8Array(1000)).selected).toBe(capacityFor('13101', 1000));
  });

  it('refuses scores and comunas of different lengths', () => {
    expect(() => selectAtCapacity([0.1, 0.2], ['01101'], rule)).toThrow(/one comuna per row/);
  });
});

describe('stratifiedPrecisionError', () => {
  it("adds each comuna's binomial variance over its own head", () => {
    // 01101: 4 selected, 2 hits; 13101: 1 selected, 1 hit.
    const comunas = ['01101', '01101', '01101', '01101', '01101', '13101', '13101'];
    const selected = [1, 1, 1, 1, 0, 1, 0];
    const labels = [1, 1, 0, 0, 1, 1, 0];
    expect(stratifiedPrecisionError(selected, labels, comunas)).toBeCloseTo(Math.sqrt(4 * 0.25 + 0) / 5, 12);
  });
});

/** A roster of the fields the evaluation reads: each child's comuna, outcome and oracle probability. */
const roster = (comunas: string[], y: number[], oracle: number[]): Dataset =>
  ({
    rows: comunas.length,
    y: Uint8Array.from(y),
    oracle: Float64Array.from(oracle),
    comunas,
  }) as unknown as Dataset;

describe('comunaPrecision', () => {
  it('pools the heads each roster takes within itself, and leaves out comunas too small to report', () => {
    // Roster 1: 40 children of 01101 and 10 of 13101; roster 2: 60 of 01101 and 10 of 13101.
    const make = (n: number, small: number) => {
      const comunas = [...Array(n).fill('01101'), ...Array(small).fill('13101')];
      const model = comunas.map((_, i) => 1 - i / comunas.length);
      // The model's two best are one hit and one miss; the oracle ranks the hit first and another hit second.
      const y = comunas.map((_, i) => (i === 0 || i === 5 ? 1 : 0));
      const oracle = comunas.map((_, i) => (i === 0 ? 0.9 : i === 5 ? 0.8 : 0.1));
      return { model, set: roster(comunas, y, oracle) };
    };
    const capacity = (comuna: string): number => (comuna === '01101' ? 2 : 1);
    const result = comunaPrecision([make(40, 10), make(60, 10)], capacity, () => 0.05);
    expect(result.suppressed).toEqual([{ comuna: '13101', children: 20 }]);
    expect(result.comunas).toHaveLength(1);
    const c = result.comunas[0];
    expect(c).toMatchObject({
      comuna: '01101',
      children: 100,
      capacities: [2, 2],
      selected: 4,
      hits: 2,
      oracleHits: 4,
    });
    expect(c?.interval?.low).toBeLessThan(0.5);
    expect(c?.interval?.high).toBeGreaterThan(0.5);
  });
});

describe('evaluatePooled', () => {
  it("keeps each cohort its own roster: every resample takes each cohort's comuna heads at their capacity", () => {
    // Two cohorts of 100 children of one comuna, 10 at capacity in each, 20 at risk in each. In the
    // first the model's head is all at risk; in the second every score is below the first cohort's
    // and its head holds no child at risk. The oracle's heads are all at risk in both.
    const cohort = (modelFindsThem: boolean) => {
      const y = Array.from({ length: 100 }, (_, i) => (i < 20 ? 1 : 0));
      const oracle = y.map((v, i) => (v ? 0.9 - i / 1000 : 0.1));
      const probabilities = y.map((v, i) =>
        modelFindsThem ? (v ? 0.9 : 0.5) - i / 1000 : v ? 0.1 : 0.3 - i / 1000,
      );
      return { probabilities, set: roster(Array(100).fill('01101'), y, oracle) };
    };
    const pooled = evaluatePooled([cohort(true), cohort(false)], 7, 200, () => 10);
    expect(pooled.rows).toBe(200);
    expect(pooled.selected).toBe(20);
    // Half the oracle's hits, whatever the resample: one head of 20 over both cohorts would take
    // the first cohort's children at risk only, and match the oracle.
    expect(pooled.intervals.precisionRatio.low).toBeGreaterThan(0.3);
    expect(pooled.intervals.precisionRatio.high).toBeLessThan(0.7);
  });

  it('narrows the interval as the pooled sample grows', () => {
    const cohort = (seed: number) => {
      const n = 2000;
      const comunas = Array<string>(n).fill('01101');
      const oracle = Array.from({ length: n }, (_, i) => ((i * 7919 + seed) % n) / n / 2);
      const y = oracle.map((p, i) => (((i * 104729 + seed * 31) % 1000) / 1000 < p ? 1 : 0));
      const probabilities = oracle.map((p, i) =>
        Math.min(0.99, Math.max(0.01, p + (((i * 31 + seed) % 11) - 5) / 100)),
      );
      return { probabilities, set: roster(comunas, y, oracle) };
    };
    const width = (e: ReturnType<typeof evaluatePooled>) =>
      e.intervals.precisionRatio.high - e.intervals.precisionRatio.low;
    const one = evaluatePooled([cohort(1)], 3, 300, () => 100);
    const three = evaluatePooled([cohort(1), cohort(2), cohort(3)], 3, 300, () => 100);
    expect(three.selected).toBe(300);
    expect(width(three)).toBeLessThan(width(one));
  });
});

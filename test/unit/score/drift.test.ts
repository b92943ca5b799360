import { describe, expect, it } from 'vitest';
import {
  binsOf,
  driftReport,
  levelOf,
  PSI_EPSILON,
  profileOf,
  psi,
  sharesIn,
} from '../../../functions/score/domain/drift';

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('psi', () => {
  it('is 0 for identical distributions', () => {
    expect(psi([0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4])).toBe(0);
  });

  it('gives the known value of a shifted distribution', () => {
    // (0.7 − 0.5)·ln(0.7/0.5) + (0.3 − 0.5)·ln(0.3/0.5) = 0.16946
    expect(psi([0.5, 0.5], [0.7, 0.3])).toBeCloseTo(0.16946, 5);
  });

  it('stays finite when a bin is empty, through the epsilon', () => {
    const value = psi([0.5, 0.5, 0], [0.5, 0.4, 0.1]);
    expect(Number.isFinite(value)).toBe(true);
    const expected = -0.1 * Math.log(0.4 / 0.5) + (0.1 - PSI_EPSILON) * Math.log(0.1 / PSI_EPSILON);
    expect(value).toBeCloseTo(expected, 10);
    expect(Number.isFinite(psi([1, 0], [0, 1]))).toBe(true);
  });

  it('refuses shares over different bins', () => {
    expect(() => psi([1], [0.5, 0.5])).toThrow(RangeError);
  });
});

describe('levelOf', () => {
  it('flags from the watch and act thresholds, inclusive', () => {
    expect(levelOf(0.0999)).toBe('estable');
    expect(levelOf(0.1)).toBe('vigilar');
    expect(levelOf(0.2499)).toBe('vigilar');
    expect(levelOf(0.25)).toBe('actuar');
  });
});

describe('bins', () => {
  it('uses the categories for a 0/1 feature, deciles otherwise', () => {
    expect(binsOf([0, 1, 1, 0])).toEqual({ kind: 'categorias', categories: [0, 1] });
    const bins = binsOf(range(100, (i) => i));
    expect(bins).toEqual({ kind: 'deciles', edges: [9, 19, 29, 39, 49, 59, 69, 79, 89] });
    expect(
      sharesIn(
        bins,
        range(100, (i) => i),
      ),
    ).toEqual(range(10, () => 0.1));
  });

  it('merges tied deciles instead of leaving empty bins', () => {
    const values = [...range(80, () => 2), ...range(20, (i) => 3 + i)];
    const bins = binsOf(values);
    expect(bins.kind === 'deciles' && bins.edges).toEqual([2, 12]);
    expect(sharesIn(bins, values).every((s) => s > 0)).toBe(true);
  });
});

describe('driftReport', () => {
  const cut = (c: string, shift: number, flagShare: number) => {
    const n = 1000;
    return {
      comuna: '13101',
      cut: c,
      modelVersion: 'm-1',
      features: {
        edad: range(n, (i) => (i % 18) + 0.5),
        ingreso: range(n, (i) => i + shift),
        hogar_monoparental: range(n, (i) => (i < n * flagShare ? 1 : 0)),
      },
      probabilities: range(n, (i) => i / n),
    };
  };

  it('says a first cut has no baseline rather than inventing one', () => {
    const report = driftReport(cut('2026-10', 0, 0.3), undefined);
    expect(report.previousCut).toBeNull();
    expect(report.score).toBeNull();
    expect(report.features).toEqual([]);
    expect(report.message).toMatch(/no hay un corte anterior/);
  });

  it('is stable for the same distribution and flags the features that moved', () => {
    const previous = profileOf(cut('2026-10', 0, 0.3));
    const same = driftReport(cut('2026-11', 0, 0.3), previous);
    expect(same.score).toEqual({ psi: 0, level: 'estable' });
    expect(same.flagged).toEqual([]);
    expect(same.message).toMatch(/Ningún indicador/);

    const moved = driftReport(cut('2026-11', 500, 0.42), previous);
    const byName = Object.fromEntries(moved.features.map((f) => [f.feature, f]));
    expect(byName.edad?.level).toBe('estable');
    // Half the incomes now lie above the previous cut's top decile.
    expect(byName.ingreso).toMatchObject({ bins: 'deciles', level: 'actuar' });
    // 0.3 → 0.42 of households: (0.12)·ln(0.42/0.3) + (−0.12)·ln(0.58/0.7) = 0.0629
    expect(byName.hogar_monoparental).toMatchObject({ bins: 'categorias', psi: 0.0629, level: 'estable' });
    expect(moved.flagged).toEqual(['ingreso']);
    expect(moved.previousCut).toBe('2026-10');
    expect(moved.message).toMatch(/cambio importante.*ingreso/);
  });
});

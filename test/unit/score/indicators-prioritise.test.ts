import { describe, expect, it } from 'vitest';
import {
  assertFeatureContract,
  FEATURE_COUNT,
  FEATURE_NAMES,
  ModelContractError,
} from '../../../functions/score/domain/features';
import type { ChildSources, RshRecord } from '../../../functions/score/domain/indicators';
import { computeIndicators, groupByChild } from '../../../functions/score/domain/indicators';
import {
  MIN_REASON_WEIGHT,
  scoreKey,
  topReasons,
  ventileOf,
} from '../../../functions/score/domain/prioritise';

const rsh: RshRecord = {
  childId: 'n-a',
  comuna: '13101',
  birthDate: '2012-05-01',
  sex: 'F',
  householdId: 'h-1',
  rshBracket: 40,
  householdSize: 6,
  bedrooms: 2,
  incomePerCapita: 90_000,
  headSchoolingYears: 8,
  singleParent: true,
  disabilityInHousehold: false,
  indigenous: false,
  migrant: false,
  surveyDate: '2025-01-10',
};
const at = (name: string, v: Float32Array): number => v[FEATURE_NAMES.indexOf(name)] as number;
const month = (
  m: string,
  attendancePct: number,
  extra: Partial<{ withdrawn: boolean; repeating: boolean }> = {},
) => ({
  childId: 'n-a',
  month: m,
  attendancePct,
  repeating: extra.repeating ?? false,
  withdrawn: extra.withdrawn ?? false,
});

describe('computeIndicators', () => {
  it('averages attendance over the three months up to the knowledge date only', () => {
    const child: ChildSources = {
      rsh,
      education: [
        month('2026-06', 10),
        month('2026-08', 70),
        month('2026-09', 80),
        month('2026-10', 90),
        month('2026-11', 0),
      ],
    };
    const v = new Float32Array(FEATURE_COUNT);
    expect(computeIndicators(child, '2026-10-31', v)).toBe(true);
    expect(at('inasistencia_3m', v)).toBeCloseTo(0.2, 5);
    expect(at('asistencia_critica_3m', v)).toBe(1);
    expect(at('sin_matricula_3m', v)).toBe(0);
    expect(at('edad', v)).toBe(14);
    expect(at('adolescente', v)).toBe(1);
    expect(at('hacinamiento_critico', v)).toBe(1);
    expect(at('tramo_rsh_40', v)).toBe(1);
  });

  it('lets a withdrawal stop counting once it is older than twelve months', () => {
    const v = new Float32Array(FEATURE_COUNT);
    const child: ChildSources = {
      rsh,
      education: [month('2025-09', 90, { withdrawn: true }), month('2026-10', 95)],
    };
    computeIndicators(child, '2026-08-31', v);
    expect(at('retiro_escolar_12m', v)).toBe(1);
    computeIndicators(child, '2026-10-31', v);
    expect(at('retiro_escolar_12m', v)).toBe(0);
  });

  it('flags a school-age child with no enrolment in the window, and skips children outside 0–17', () => {
    const v = new Float32Array(FEATURE_COUNT);
    expect(computeIndicators({ rsh, education: [] }, '2026-10-31', v)).toBe(true);
    expect(at('sin_matricula_3m', v)).toBe(1);
    expect(
      computeIndicators({ rsh: { ...rsh, birthDate: '2000-01-01' }, education: [] }, '2026-10-31', v),
    ).toBe(false);
    expect(
      computeIndicators({ rsh: { ...rsh, surveyDate: '2026-12-01' }, education: [] }, '2026-10-31', v),
    ).toBe(false);
  });

  it('joins each child to its latest registry record and its own education rows', () => {
    const grouped = groupByChild(
      [rsh, { ...rsh, surveyDate: '2026-02-01', rshBracket: 60 }, { ...rsh, childId: 'n-b' }],
      [month('2026-10', 90), { ...month('2026-10', 50), childId: 'n-zzz' }],
    );
    expect(grouped.get('n-a')?.rsh.rshBracket).toBe(60);
    expect(grouped.get('n-a')?.education).toHaveLength(1);
    expect(grouped.has('n-zzz')).toBe(false);
  });
});

describe('prioritisation', () => {
  const cuts = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);
  it('maps a probability to its ventile 1–20 against the training cut points', () => {
    expect(ventileOf(0, cuts)).toBe(1);
    expect(ventileOf(0.049, cuts)).toBe(1);
    expect(ventileOf(0.05, cuts)).toBe(2);
    expect(ventileOf(0.97, cuts)).toBe(20);
    expect(() => ventileOf(0.5, [0.1])).toThrow();
  });

  it('gives the three largest positive contributions as reasons, in words', () => {
    const contributions = new Float32Array(FEATURE_COUNT);
    const values = new Float32Array(FEATURE_COUNT);
    contributions[FEATURE_NAMES.indexOf('inasistencia_3m')] = 0.9;
    values[FEATURE_NAMES.indexOf('inasistencia_3m')] = 0.3;
    contributions[FEATURE_NAMES.indexOf('hogar_monoparental')] = 0.4;
    contributions[FEATURE_NAMES.indexOf('edad')] = MIN_REASON_WEIGHT / 2;
    contributions[FEATURE_NAMES.indexOf('tramo_rsh_40')] = -1.2;
    const reasons = topReasons(contributions, values);
    expect(reasons.map((r) => r.feature)).toEqual(['inasistencia_3m', 'hogar_monoparental']);
    expect(reasons[0]?.text).toBe('Inasistencia escolar de 30% en los últimos 3 meses');
  });

  it('orders score keys with the highest probability first', () => {
    const keys = [scoreKey(0.2, 'n-b'), scoreKey(0.9, 'n-c'), scoreKey(0.2, 'n-a')].sort();
    expect(keys.map((k) => k.split('#')[1])).toEqual(['n-c', 'n-a', 'n-b']);
  });
});

describe('feature contract', () => {
  it('accepts the catalogue and refuses a missing, extra or reordered feature with a clear message', () => {
    expect(() => assertFeatureContract([...FEATURE_NAMES])).not.toThrow();
    expect(() => assertFeatureContract(FEATURE_NAMES.slice(1))).toThrow(/missing from the model: edad/);
    expect(() => assertFeatureContract([...FEATURE_NAMES, 'x'])).toThrow(/unknown to the code: x/);
    const swapped = [...FEATURE_NAMES];
    [swapped[0], swapped[1]] = [swapped[1] as string, swapped[0] as string];
    expect(() => assertFeatureContract(swapped)).toThrow(ModelContractError);
    expect(() => assertFeatureContract(swapped)).toThrow(/another order \(first difference at position 0\)/);
  });
});

/**
 * The household features of an old registry survey: full weight within the window, decayed towards
 * the population's typical value past it, and never told as reasons then.
 */
import { describe, expect, it } from 'vitest';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURES,
  HOUSEHOLD_SURVEY_HALF_LIFE_MONTHS,
  HOUSEHOLD_SURVEY_WINDOW_MONTHS,
  surveyWeight,
} from '../../../functions/score/domain/features';
import { computeIndicators } from '../../../functions/score/domain/indicators';
import { topReasons } from '../../../functions/score/domain/prioritise';
import type { RshRecord } from '../../../functions/shared/domain/curated-records';

const AS_OF = '2026-10-31';
const rsh: RshRecord = {
  childId: 'n-a',
  comuna: '13101',
  birthDate: '2012-05-01',
  sex: 'F',
  householdId: 'h-1',
  rshBracket: 40,
  householdSize: 6,
  bedrooms: 2,
  incomePerCapita: 60_000,
  headSchoolingYears: 8,
  singleParent: true,
  disabilityInHousehold: true,
  indigenous: false,
  migrant: false,
  surveyDate: '2025-10-10',
};
const at = (name: string): number => FEATURE_NAMES.indexOf(name);
const HOUSEHOLD = FEATURES.flatMap((f, i) => (f.typical === undefined ? [] : [i]));

function indicators(surveyDate: string): Float32Array {
  const v = new Float32Array(FEATURE_COUNT);
  const child = {
    rsh: { ...rsh, surveyDate },
    education: [],
    police: [{ childId: 'n-a', eventDate: '2026-09-01', role: 'VICTIMA' as const }],
  };
  expect(computeIndicators(child, AS_OF, v)).toBe(true);
  return v;
}

describe('the recency of the registry survey', () => {
  it('weighs a survey in full up to the window, then halves its weight every half-life', () => {
    expect(surveyWeight(0)).toBe(1);
    expect(surveyWeight(HOUSEHOLD_SURVEY_WINDOW_MONTHS)).toBe(1);
    expect(surveyWeight(HOUSEHOLD_SURVEY_WINDOW_MONTHS + 1)).toBeLessThan(1);
    expect(surveyWeight(HOUSEHOLD_SURVEY_WINDOW_MONTHS + HOUSEHOLD_SURVEY_HALF_LIFE_MONTHS)).toBeCloseTo(
      0.5,
      12,
    );
    expect(surveyWeight(HOUSEHOLD_SURVEY_WINDOW_MONTHS + 2 * HOUSEHOLD_SURVEY_HALF_LIFE_MONTHS)).toBeCloseTo(
      0.25,
      12,
    );
  });

  it('covers every household feature of the registry and no record of the child or of the prison service', () => {
    expect(HOUSEHOLD.map((i) => FEATURE_NAMES[i])).toEqual([
      'tramo_rsh_40',
      'tramo_rsh',
      'personas_por_dormitorio',
      'hacinamiento_critico',
      'log_ingreso_per_capita',
      'escolaridad_jefatura',
      'hogar_monoparental',
      'discapacidad_en_hogar',
      'tramo_rsh_50',
      'hacinamiento_monoparental',
    ]);
  });

  it('keeps a survey within the window as it is, and moves an older one towards the typical household', () => {
    const fresh = indicators('2024-10-15'); // 24 months before the cut
    const old = indicators('2021-10-15'); // 60 months: weight 0.5 with the 36-month half-life
    expect(fresh[at('ficha_rsh_antigua')]).toBe(0);
    expect(old[at('ficha_rsh_antigua')]).toBe(1);
    expect(fresh[at('hogar_monoparental')]).toBe(1);
    expect(fresh[at('personas_por_dormitorio')]).toBe(3);
    const w = surveyWeight(60);
    expect(w).toBeCloseTo(0.5, 12);
    for (const i of HOUSEHOLD) {
      const typical = FEATURES[i]?.typical as number;
      expect(old[i]).toBeCloseTo(typical + ((fresh[i] as number) - typical) * w, 5);
    }
    // The child's own records keep their value whatever the survey's age.
    expect(old[at('victima_24h_12m')]).toBe(1);
    expect(old[at('edad')]).toBe(fresh[at('edad')]);
    expect(old[at('sin_matricula_3m')]).toBe(1);
    // The victim contact's interaction keeps the contact, with the household's part decayed.
    expect(fresh[at('victima_24h_12m_monoparental')]).toBe(1);
    expect(old[at('victima_24h_12m_monoparental')]).toBeCloseTo(old[at('hogar_monoparental')] as number, 6);
  });

  it('never tells a household reason from a survey past the window, and still tells the child’s own', () => {
    const contributions = new Float32Array(FEATURE_COUNT);
    for (const name of ['hogar_monoparental', 'discapacidad_en_hogar', 'victima_24h_12m', 'tramo_rsh_40'])
      contributions[at(name)] = 0.5;
    contributions[at('victima_24h_12m')] = 0.4;
    const fresh = indicators('2024-11-15');
    const told = (values: Float32Array, months: number, surveyDate: string): string[] =>
      topReasons(contributions, values, '2026-10', { surveyDate, months }).map((r) => r.feature);
    expect(told(fresh, 23, '2024-11-15')).toEqual([
      'tramo_rsh_40',
      'hogar_monoparental',
      'discapacidad_en_hogar',
    ]);
    const old = indicators('2023-09-15');
    expect(told(old, 37, '2023-09-15')).toEqual(['victima_24h_12m']);
    // Past the window by the row's own flag, even when the caller gives no survey age.
    expect(topReasons(contributions, old, '2026-10').map((r) => r.feature)).toEqual(['victima_24h_12m']);
  });

  it('still tells that the survey is outdated when that raises the risk', () => {
    const contributions = new Float32Array(FEATURE_COUNT);
    contributions[at('ficha_rsh_antigua')] = 0.2;
    const reasons = topReasons(contributions, indicators('2023-09-15'), '2026-10', {
      surveyDate: '2023-09-15',
      months: 37,
    });
    expect(reasons.map((r) => r.text)).toEqual([
      'Ficha del Registro Social de Hogares sin actualizar hace más de 2 años (ficha de 2023-09, hace 37 meses)',
    ]);
  });
});

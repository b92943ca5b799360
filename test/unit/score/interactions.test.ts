/**
 * The interactions of the catalogue: computed from the child's indicators, and told through the
 * feature each modifies, never as reasons of their own.
 */
import { describe, expect, it } from 'vitest';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURES,
  TOLD_BY,
  toldContributions,
} from '../../../functions/score/domain/features';
import type { ChildSources } from '../../../functions/score/domain/indicators';
import { computeIndicators } from '../../../functions/score/domain/indicators';
import { topReasons } from '../../../functions/score/domain/prioritise';
import type { RshRecord } from '../../../functions/shared/domain/curated-records';

const AS_OF = '2026-10-31';
const rsh: RshRecord = {
  childId: 'n-a',
  comuna: '13101',
  birthDate: '2012-05-01',
  sex: 'M',
  householdId: 'h-1',
  rshBracket: 50,
  householdSize: 5,
  bedrooms: 2,
  incomePerCapita: 150_000,
  headSchoolingYears: 12,
  singleParent: true,
  disabilityInHousehold: false,
  indigenous: false,
  migrant: false,
  surveyDate: '2026-01-10',
};
const at = (name: string): number => FEATURE_NAMES.indexOf(name);
const attendance = (month: string, attendancePct: number) => ({
  childId: 'n-a',
  month,
  attendancePct,
  repeating: false,
  withdrawn: false,
});
const civil = { childId: 'n-a', birthDate: rsh.birthDate, fatherId: 'n-father' };
const prison = [{ childId: 'n-father', admissionDate: '2026-02-01' }];

function indicators(child: ChildSources): Float32Array {
  const v = new Float32Array(FEATURE_COUNT);
  expect(computeIndicators(child, AS_OF, v)).toBe(true);
  return v;
}

describe('interactions', () => {
  it('are the products of their indicators for the child', () => {
    const adolescent = indicators({
      rsh,
      education: [attendance('2026-08', 70), attendance('2026-09', 72), attendance('2026-10', 75)],
      police: [{ childId: 'n-a', eventDate: '2026-06-01', role: 'VICTIMA' }],
      civil,
      parentsCustody: prison,
    });
    expect(adolescent[at('tramo_rsh_50')]).toBe(1);
    expect(adolescent[at('asistencia_critica_adolescente')]).toBe(1);
    expect(adolescent[at('hacinamiento_monoparental')]).toBe(1);
    expect(adolescent[at('victima_24h_12m_monoparental')]).toBe(1);
    expect(adolescent[at('adulto_privado_libertad')]).toBe(1);
    expect(adolescent[at('adulto_privado_libertad_menor_6')]).toBe(0);

    const toddler = indicators({
      rsh: { ...rsh, birthDate: '2022-03-01', rshBracket: 40, singleParent: false },
      education: [],
      police: [{ childId: 'n-a', eventDate: '2026-06-01', role: 'VICTIMA' }],
      civil,
      parentsCustody: prison,
    });
    expect(toddler[at('tramo_rsh_50')]).toBe(0);
    expect(toddler[at('asistencia_critica_adolescente')]).toBe(0);
    expect(toddler[at('hacinamiento_critico')]).toBe(1);
    expect(toddler[at('hacinamiento_monoparental')]).toBe(0);
    expect(toddler[at('victima_24h_12m_monoparental')]).toBe(0);
    expect(toddler[at('adulto_privado_libertad_menor_6')]).toBe(1);

    const child = indicators({
      rsh: { ...rsh, birthDate: '2016-03-01' },
      education: [attendance('2026-08', 70), attendance('2026-09', 72), attendance('2026-10', 75)],
    });
    expect(child[at('asistencia_critica_3m')]).toBe(1);
    expect(child[at('asistencia_critica_adolescente')]).toBe(0); // 10 years old
  });

  it('each modify a feature with a reason, and are never reasons of their own', () => {
    const interactions = FEATURES.flatMap((f, i) => (f.modifies ? [i] : []));
    expect(interactions.map((i) => `${FEATURE_NAMES[i]}→${FEATURE_NAMES[TOLD_BY[i] as number]}`)).toEqual([
      'tramo_rsh_50→tramo_rsh',
      'asistencia_critica_adolescente→asistencia_critica_3m',
      'hacinamiento_monoparental→hacinamiento_critico',
      'victima_24h_12m_monoparental→victima_24h_12m',
      'adulto_privado_libertad_menor_6→adulto_privado_libertad',
    ]);
    for (const i of interactions) expect(FEATURES[i]?.reason).toBeUndefined();
  });

  it('add their contribution to the reason of the feature they modify', () => {
    const contributions = new Float32Array(FEATURE_COUNT);
    contributions[at('victima_24h_12m')] = 0.6;
    contributions[at('victima_24h_12m_monoparental')] = 0.3;
    contributions[at('adulto_privado_libertad')] = 0.04;
    contributions[at('adulto_privado_libertad_menor_6')] = 0.5;
    contributions[at('hogar_monoparental')] = 0.7;
    const told = toldContributions(contributions);
    expect(told[at('victima_24h_12m')]).toBeCloseTo(0.9, 6);
    expect(told[at('victima_24h_12m_monoparental')]).toBe(0);
    // The sum is kept: every part of the score is told in some feature's words.
    expect(told.reduce((s, v) => s + v, 0)).toBeCloseTo(2.14, 5);

    const values = new Float32Array(FEATURE_COUNT);
    for (const name of [
      'victima_24h_12m',
      'victima_24h_12m_monoparental',
      'adulto_privado_libertad',
      'adulto_privado_libertad_menor_6',
      'hogar_monoparental',
    ])
      values[at(name)] = 1;
    const reasons = topReasons(contributions, values, '2026-10');
    expect(reasons.map((r) => [r.feature, r.weight])).toEqual([
      ['victima_24h_12m', 0.9],
      ['hogar_monoparental', 0.7],
      ['adulto_privado_libertad', 0.54], // 0.04 alone is below the weight worth telling
    ]);
  });
});

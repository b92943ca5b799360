import { describe, expect, it } from 'vitest';
import type { CuratedRecords } from '../../../functions/score/domain/curated-records';
import {
  assertFeatureContract,
  FEATURE_COUNT,
  FEATURE_NAMES,
  ModelContractError,
} from '../../../functions/score/domain/features';
import type { ChildSources } from '../../../functions/score/domain/indicators';
import { childrenAsOf, computeIndicators, groupByChild } from '../../../functions/score/domain/indicators';
import { MIN_REASON_WEIGHT, topReasons, ventileOf } from '../../../functions/score/domain/prioritise';
import type { RshRecord } from '../../../functions/shared/domain/curated-records';
import { registryRecords } from './score-fixtures';

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
const noRecords: CuratedRecords = registryRecords([]);
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
    const grouped = groupByChild({
      ...noRecords,
      rsh: [rsh, { ...rsh, surveyDate: '2026-02-01', rshBracket: 60 }, { ...rsh, childId: 'n-b' }],
      educacion: [month('2026-10', 90), { ...month('2026-10', 50), childId: 'n-zzz' }],
      policia: [{ childId: 'n-b', eventDate: '2026-09-01', role: 'VICTIMA' }],
    });
    expect(grouped.get('n-a')?.rsh.rshBracket).toBe(60);
    expect(grouped.get('n-a')?.education).toHaveLength(1);
    expect(grouped.get('n-a')?.police).toHaveLength(0);
    expect(grouped.get('n-b')?.police).toHaveLength(1);
    expect(grouped.has('n-zzz')).toBe(false);
  });

  it('joins each child, at a cut, to its latest survey known then, and counts those surveyed only later', () => {
    const { children, excluded } = childrenAsOf(
      {
        ...noRecords,
        rsh: [
          { ...rsh, surveyDate: '2025-04-01', rshBracket: 40 },
          { ...rsh, surveyDate: '2026-11-15', rshBracket: 90 },
          { ...rsh, childId: 'n-b', surveyDate: '2026-11-02' },
          { ...rsh, childId: 'n-b', surveyDate: '2027-01-10' },
          { ...rsh, childId: 'n-c', surveyDate: '2026-10-31' },
        ],
        educacion: [month('2026-10', 90), { ...month('2026-10', 50), childId: 'n-b' }],
      },
      '2026-10-31',
    );
    expect(children.get('n-a')?.rsh.surveyDate).toBe('2025-04-01');
    expect(children.get('n-a')?.education).toHaveLength(1);
    expect(children.has('n-b')).toBe(false);
    expect(children.get('n-c')?.rsh.surveyDate).toBe('2026-10-31');
    expect(excluded).toEqual({ surveyAfterCut: 1 });
  });

  it('finds a parent in prison through the civil registry filiation, and only on the knowledge date', () => {
    const grouped = groupByChild({
      ...noRecords,
      rsh: [rsh, { ...rsh, childId: 'n-b' }],
      registro_civil: [
        { childId: 'n-a', birthDate: rsh.birthDate, motherId: 'n-mother', fatherId: 'n-father' },
        { childId: 'n-b', birthDate: rsh.birthDate, motherId: 'n-other' },
      ],
      privacion_libertad: [
        { childId: 'n-father', admissionDate: '2025-03-01' },
        { childId: 'n-mother', admissionDate: '2023-01-01', releaseDate: '2025-06-30' },
      ],
    });
    const a = grouped.get('n-a') as ChildSources;
    expect(a.parentsCustody).toHaveLength(2);
    expect(grouped.get('n-b')?.parentsCustody).toHaveLength(0);
    const v = new Float32Array(FEATURE_COUNT);
    computeIndicators(a, '2026-10-31', v);
    expect(at('adulto_privado_libertad', v)).toBe(1);
    expect(at('adulto_egreso_penal_24m', v)).toBe(1);
    computeIndicators(a, '2025-02-28', v);
    expect(at('adulto_privado_libertad', v)).toBe(1); // the mother, whose release is still to come
    expect(at('adulto_egreso_penal_24m', v)).toBe(0);
    expect(computeIndicators({ ...a, rsh: { ...rsh, surveyDate: '2021-06-01' } }, '2022-12-31', v)).toBe(
      true,
    );
    expect(at('adulto_privado_libertad', v)).toBe(0); // both admissions are still in the future
    computeIndicators(a, '2027-08-31', v);
    expect(at('adulto_egreso_penal_24m', v)).toBe(0); // released more than 24 months before
  });

  it('counts events by window before the knowledge date and ignores later ones', () => {
    const child: ChildSources = {
      rsh,
      education: [],
      police: [
        { childId: 'n-a', eventDate: '2026-10-15', role: 'VICTIMA' },
        { childId: 'n-a', eventDate: '2024-01-10', role: 'VICTIMA' },
        { childId: 'n-a', eventDate: '2026-11-05', role: 'INFRACTOR' },
      ],
      health: [
        { childId: 'n-a', attentionDate: '2026-03-01', attention: 'SALUD_MENTAL' },
        { childId: 'n-a', attentionDate: '2025-06-01', attention: 'TRATAMIENTO_DROGAS' },
      ],
      protection: [{ childId: 'n-a', entryDate: '2024-02-01', exitDate: '2025-05-01' }],
    };
    const v = new Float32Array(FEATURE_COUNT);
    computeIndicators(child, '2026-10-31', v);
    expect(at('victima_24h_12m', v)).toBe(1);
    expect(at('victima_24h_13_36m', v)).toBe(1);
    expect(at('infractor_24h_12m', v)).toBe(0); // dated after the knowledge date
    expect(at('salud_mental_12m', v)).toBe(1);
    expect(at('tratamiento_drogas_12m', v)).toBe(0); // more than 12 months before
    expect(at('proteccion_12m', v)).toBe(0);
    expect(at('proteccion_13_36m', v)).toBe(1);
    computeIndicators(child, '2025-10-31', v);
    expect(at('victima_24h_12m', v)).toBe(0);
    expect(at('victima_24h_13_36m', v)).toBe(1);
    expect(at('proteccion_12m', v)).toBe(1); // left the program within the last 12 months
    computeIndicators(child, '2024-03-31', v);
    expect(at('proteccion_12m', v)).toBe(1); // still in the program
    expect(at('proteccion_13_36m', v)).toBe(0);
  });

  it('flags a missing well-child check-up only for children aged 1 to 5', () => {
    const v = new Float32Array(FEATURE_COUNT);
    const toddler = { ...rsh, birthDate: '2023-05-01' };
    computeIndicators({ rsh: toddler, education: [] }, '2026-10-31', v);
    expect(at('sin_control_sano_12m', v)).toBe(1);
    computeIndicators(
      {
        rsh: toddler,
        education: [],
        health: [{ childId: 'n-a', attentionDate: '2026-04-02', attention: 'CONTROL_SANO' }],
      },
      '2026-10-31',
      v,
    );
    expect(at('sin_control_sano_12m', v)).toBe(0);
    computeIndicators({ rsh, education: [] }, '2026-10-31', v);
    expect(at('sin_control_sano_12m', v)).toBe(0);
  });

  it('does not score a child whose death the civil registry records', () => {
    const v = new Float32Array(FEATURE_COUNT);
    const civil = { childId: 'n-a', birthDate: rsh.birthDate, deathDate: '2026-05-02' };
    expect(computeIndicators({ rsh, education: [], civil }, '2026-10-31', v)).toBe(false);
    expect(computeIndicators({ rsh, education: [], civil }, '2026-04-30', v)).toBe(true);
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

  it('gives the three largest positive contributions as reasons, in words, with whom, where and when', () => {
    const contributions = new Float32Array(FEATURE_COUNT);
    const values = new Float32Array(FEATURE_COUNT);
    contributions[FEATURE_NAMES.indexOf('inasistencia_3m')] = 0.9;
    values[FEATURE_NAMES.indexOf('inasistencia_3m')] = 0.3;
    contributions[FEATURE_NAMES.indexOf('hogar_monoparental')] = 0.4;
    values[FEATURE_NAMES.indexOf('hogar_monoparental')] = 1;
    contributions[FEATURE_NAMES.indexOf('tramo_rsh_40')] = -1.2;
    values[FEATURE_NAMES.indexOf('tramo_rsh_40')] = 1;
    contributions[FEATURE_NAMES.indexOf('discapacidad_en_hogar')] = MIN_REASON_WEIGHT / 2;
    values[FEATURE_NAMES.indexOf('discapacidad_en_hogar')] = 1;
    const reasons = topReasons(contributions, values, '2026-10');
    expect(reasons).toEqual([
      {
        feature: 'inasistencia_3m',
        text: 'Inasistencia escolar de 30 % en los últimos 3 meses',
        weight: 0.9,
        concerns: 'niño',
        source: 'educacion',
        cut: '2026-10',
        window: 'últimos 3 meses',
      },
      {
        feature: 'hogar_monoparental',
        text: 'Hogar monoparental',
        weight: 0.4,
        concerns: 'hogar',
        source: 'rsh',
        cut: '2026-10',
        window: 'ficha vigente',
      },
    ]);
  });

  it('says how old the registry survey is in the household reasons taken from it, and only there', () => {
    const contributions = new Float32Array(FEATURE_COUNT);
    const values = new Float32Array(FEATURE_COUNT);
    contributions[FEATURE_NAMES.indexOf('hogar_monoparental')] = 0.4;
    values[FEATURE_NAMES.indexOf('hogar_monoparental')] = 1;
    contributions[FEATURE_NAMES.indexOf('adulto_privado_libertad')] = 0.3;
    values[FEATURE_NAMES.indexOf('adulto_privado_libertad')] = 1;
    contributions[FEATURE_NAMES.indexOf('inasistencia_3m')] = 0.2;
    values[FEATURE_NAMES.indexOf('inasistencia_3m')] = 0.3;
    const texts = (survey: { surveyDate: string; months: number }) =>
      topReasons(contributions, values, '2026-10', survey).map((r) => r.text);
    expect(texts({ surveyDate: '2024-11-15', months: 23 })).toEqual([
      'Hogar monoparental (ficha de 2024-11, hace 23 meses)',
      'Madre o padre privado de libertad',
      'Inasistencia escolar de 30 % en los últimos 3 meses',
    ]);
    expect(texts({ surveyDate: '2026-09-02', months: 1 })[0]).toBe(
      'Hogar monoparental (ficha de 2026-09, hace 1 mes)',
    );
    expect(texts({ surveyDate: '2026-10-02', months: 0 })[0]).toBe(
      'Hogar monoparental (ficha de 2026-10, del mes del corte)',
    );
  });

  it('tells a feature that raises the risk only when its words are true of the child, and never age', () => {
    const at = (name: string): number => FEATURE_NAMES.indexOf(name);
    const contributions = new Float32Array(FEATURE_COUNT).fill(1);
    const values = new Float32Array(FEATURE_COUNT);
    values[at('edad')] = 1;
    values[at('adolescente')] = 0;
    values[at('log_ingreso_per_capita')] = Math.log1p(900_000);
    values[at('escolaridad_jefatura')] = 14;
    values[at('inasistencia_3m')] = 0.05;
    values[at('personas_por_dormitorio')] = 1.5;
    values[at('tramo_rsh')] = 9;
    expect(topReasons(contributions, values, '2026-10')).toEqual([]);

    values[at('adolescente')] = 1;
    values[at('edad')] = 15;
    values[at('log_ingreso_per_capita')] = Math.log1p(62_000);
    values[at('escolaridad_jefatura')] = 8;
    contributions[at('escolaridad_jefatura')] = 0.5;
    contributions[at('log_ingreso_per_capita')] = 2;
    contributions[at('edad')] = 3;
    contributions[at('adolescente')] = 3;
    const shown = topReasons(contributions, values, '2026-10');
    expect(shown.map((r) => r.text)).toEqual([
      'Ingreso per cápita del hogar bajo $100.000 al mes ($62.000)',
      'Jefatura del hogar sin enseñanza media completa (8 años de escolaridad)',
    ]);
  });

  it('calls a bracket vulnerable up to the 60% one, the 40% one by its own feature', () => {
    const at = FEATURE_NAMES.indexOf('tramo_rsh');
    const contributions = new Float32Array(FEATURE_COUNT).fill(0);
    contributions[at] = 0.3;
    const values = new Float32Array(FEATURE_COUNT);
    const told = (bracket: number): string[] => {
      values[at] = bracket / 10;
      return topReasons(contributions, values, '2026-10').map((r) => r.text);
    };
    expect(told(40)).toEqual([]);
    expect(told(60)).toEqual(['Hogar en el tramo del 60 % más vulnerable del Registro Social de Hogares']);
    expect(told(70)).toEqual([]);
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

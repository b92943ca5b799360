/**
 * "Risky by association": the household share of a score on hand-made contributions, the count of
 * selected children with only household reasons, the per-comuna selection with and without the
 * head rule, and the card text that states the default from the configuration and the figures.
 */
import { describe, expect, it } from 'vitest';
import type { Reason } from '../../../functions/roster/domain/roster';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../functions/score/domain/features';
import type { OlnCapacityConfig } from '../../../functions/shared/domain/oln-capacity';
import { capacityFor, parseOlnCapacity } from '../../../functions/shared/domain/oln-capacity';
import type { CandidateScores, RuleEffect } from '../../../tools/train/association';
import {
  candidateAssociation,
  cohortSelection,
  householdShare,
  quantile,
  ruleEffect,
  supportedDefault,
} from '../../../tools/train/association';
import { associationSection } from '../../../tools/train/association-card';
import type { Dataset } from '../../../tools/train/dataset';
import { selectAtCapacity } from '../../../tools/train/evaluation';

const at = (name: string): number => {
  const i = FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(name);
  return i;
};
const vector = (values: Record<string, number>): Float64Array => {
  const v = new Float64Array(FEATURE_COUNT);
  for (const [name, c] of Object.entries(values)) v[at(name)] = c;
  return v;
};
/** Ten percent of each comuna: two of 20 children. */
const config = parseOlnCapacity({ comunas: { '01101': { share: 0.1 }, '13101': { share: 0.1 } } }, 'test');
const rule = (c: OlnCapacityConfig) => (comuna: string, children: number) => capacityFor(comuna, children, c);
const capacity = rule(config);

function dataset(
  rows: number,
  y: (r: number) => number,
  group: (r: number) => string,
  comuna: (r: number) => string = (r) => (r < rows / 2 ? '01101' : '13101'),
): Dataset {
  const g = Array.from({ length: rows }, (_, r) => group(r));
  return {
    rows,
    x: new Float32Array(rows * FEATURE_COUNT),
    y: Uint8Array.from({ length: rows }, (_, r) => y(r)),
    oracle: new Float64Array(rows),
    childIds: Array.from({ length: rows }, (_, r) => `n-${r}`),
    comunas: Array.from({ length: rows }, (_, r) => comuna(r)),
    groups: { sexo: g, tramo_edad: g, pueblo_originario: g, migrante: g, zona: g, comuna: g },
  };
}

const reason = (feature: string, concerns: Reason['concerns']): Reason => ({
  feature,
  text: feature,
  weight: 0.3,
  concerns,
  source: concerns === 'hogar' ? 'rsh' : 'educacion',
  cut: '2025-10',
  window: 'ficha vigente',
});

describe('household share of a score', () => {
  it("is the household features' positive contributions over all positive ones, context left out", () => {
    const c = vector({
      hogar_monoparental: 0.4,
      hacinamiento_critico: 0.2,
      asistencia_critica_3m: 0.3,
      edad: 1.0, // context: never a reason, not counted
      adolescente: 0.5,
      tramo_rsh: -0.5, // lowers the risk: counted for neither
      victima_24h_12m: -0.2,
    });
    expect(householdShare(c)).toBeCloseTo(0.6 / 0.9, 12);
    expect(householdShare(vector({ asistencia_critica_3m: 0.3 }))).toBe(0);
    expect(householdShare(vector({ adulto_privado_libertad: 0.3 }))).toBe(1);
    expect(Number.isNaN(householdShare(vector({ edad: 0.7, tramo_rsh: -0.1 })))).toBe(true);
  });

  it('takes quantiles by the nearest rank, NaNs left out', () => {
    expect(quantile([5, 1, 3, Number.NaN, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
  });
});

describe('selection at each comuna capacity', () => {
  const scores = Array.from({ length: 40 }, (_, r) => (r % 20) / 20);
  const comunas = Array.from({ length: 40 }, (_, r) => (r < 20 ? '01101' : '13101'));

  it("takes the top of each comuna's own roster", () => {
    const mask = selectAtCapacity(scores, comunas, capacity);
    expect([...mask].flatMap((m, r) => (m ? [r] : []))).toEqual([18, 19, 38, 39]);
  });

  it('ranks demoted children after every other child of their comuna, keeping the count', () => {
    const demoted = scores.map((_, r) => r === 19 || r === 39 || r === 38);
    const mask = selectAtCapacity(scores, comunas, capacity, demoted);
    expect([...mask].flatMap((m, r) => (m ? [r] : []))).toEqual([17, 18, 36, 37]);
  });
});

describe('association figures of a candidate', () => {
  it('counts the selected children with only household reasons and with none, and their first reasons', () => {
    const set = dataset(
      20,
      () => 0,
      () => 'a',
      () => '01101',
    );
    const candidate: CandidateScores = {
      name: 'logistic',
      probabilities: Array.from({ length: 20 }, (_, r) => r / 20),
      contributions: (row, out) => {
        out[at('hogar_monoparental')] = row === 19 ? 0.6 : 0.2;
        out[at('asistencia_critica_3m')] = row === 18 ? 0.6 : 0;
      },
    };
    const reasons: Reason[][] = Array.from({ length: 20 }, () => []);
    reasons[19] = [reason('hogar_monoparental', 'hogar'), reason('tramo_rsh_40', 'hogar')];
    reasons[18] = [reason('asistencia_critica_3m', 'niño'), reason('hogar_monoparental', 'hogar')];
    const one = parseOlnCapacity({ comunas: { '01101': { share: 0.15 } } }, 'test');
    // 15% of 20: rows 17, 18 and 19; row 17 has no reason at all.
    const a = candidateAssociation(set, candidate, reasons, cohortSelection(set, rule(one)));
    expect(a.selected).toBe(3);
    expect(a.householdOnly).toBe(1);
    expect(a.noReason).toBe(1);
    expect(a.reasonsShown).toBe(4);
    expect(a.householdReasons).toBe(3);
    expect(a.share.median).toBeCloseTo(1, 12); // shares 1 (row 19), 0.25 (row 18), 1 (row 17)
    expect(a.share.mean).toBeCloseTo(2.25 / 3, 12);
    expect(a.headReasons).toEqual([
      { feature: 'asistencia_critica_3m', concerns: 'niño', count: 1 },
      { feature: 'hogar_monoparental', concerns: 'hogar', count: 1 },
    ]);
  });
});

describe('the head rule measured off and on', () => {
  // Per comuna of 40: the four highest scores have household reasons only and the outcome.
  const set = dataset(
    80,
    (r) => (r % 40 >= 36 ? 1 : 0),
    (r) => (r % 2 === 0 ? 'par' : 'impar'),
  );
  const probabilities = Array.from({ length: 80 }, (_, r) => (r % 40) / 40);
  const reasons: Reason[][] = Array.from({ length: 80 }, (_, r) =>
    r % 40 >= 36 ? [reason('hogar_monoparental', 'hogar')] : [reason('asistencia_critica_3m', 'niño')],
  );

  it('measures precision, recall and children without a child-level reason in each arm', () => {
    const e = ruleEffect(set, probabilities, reasons, 7, 200, cohortSelection(set, capacity));
    expect(e.off).toMatchObject({ selected: 8, truePositives: 8, precision: 1, withoutChildSignal: 8 });
    expect(e.on).toMatchObject({ selected: 8, truePositives: 0, precision: 0, withoutChildSignal: 0 });
    expect(e.off.recall).toBe(1);
    expect(e.off.precisionInterval?.low).toBeLessThan(1); // Wilson: no point interval at 8 of 8
    expect(e.precisionChange).toBe(-1);
    expect(e.overlap).toBe(0);
    expect(supportedDefault(e)).toBe(false);
    const sexo = e.groups.find((g) => g.attribute === 'sexo');
    expect(sexo?.groups.map((g) => [g.group, g.off.selected, g.on.selected])).toEqual([
      ['impar', 4, 4],
      ['par', 4, 4],
    ]);
    expect(e.groups.some((g) => g.attribute === 'comuna')).toBe(false);
  });

  it('supports the rule when it costs no precision', () => {
    const free = ruleEffect(
      set,
      probabilities,
      reasons.map(() => [reason('asistencia_critica_3m', 'niño')]),
      7,
      50,
      cohortSelection(set, capacity),
    );
    expect(free.precisionChange).toBe(0);
    expect(supportedDefault(free)).toBe(true);
  });
});

describe('the card section', () => {
  const effect = (change: number): RuleEffect => ({
    off: {
      selected: 100,
      truePositives: 40,
      positives: 200,
      precision: 0.4,
      recall: 0.2,
      withoutChildSignal: 12,
    },
    on: {
      selected: 100,
      truePositives: 40 + change * 100,
      positives: 200,
      precision: 0.4 + change,
      recall: 0.2,
      withoutChildSignal: 0,
    },
    precisionChange: change,
    precisionChangeInterval: { low: change - 0.01, high: change + 0.01 },
    resamples: 100,
    standardError: 0.049,
    overlap: 90,
    groups: [],
    suppressed: [],
  });
  const report = (change: number, requireChildSignal: boolean, cohorts = 3) => ({
    cut: '2025-10',
    cohorts,
    candidates: [],
    measuredOn: 'logistic',
    effect: effect(change),
    configured: { requireChildSignal },
  });

  it('states the configured default and whether the figures support it', () => {
    const agreed = associationSection(report(-0.01, true)).join('\n');
    expect(agreed).toContain('The measurement supports the rule **on**');
    expect(agreed).toContain('`requireChildSignal: true`, the rule on, as the measurement supports.');
    expect(agreed).toContain('from 12 to 0');
    const against = associationSection(report(-0.2, true)).join('\n');
    expect(against).toContain('The measurement supports the rule **off**');
    expect(against).toContain('against what the measurement supports');
    expect(against).toContain('20 fewer children with the outcome');
    const off = associationSection(report(-0.01, false)).join('\n');
    expect(off).toContain('`requireChildSignal: false`, the rule off, against what the measurement supports');
  });

  it('says over which cohorts the selection was measured', () => {
    expect(associationSection(report(0, true, 3)).join('\n')).toContain(
      'on the 3 test cohorts pooled (cut 2025-10, each cohort its own roster)',
    );
    expect(associationSection(report(0, true, 1)).join('\n')).toContain('on the test cohort (cut 2025-10)');
  });
});

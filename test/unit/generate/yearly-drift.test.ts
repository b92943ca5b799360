/**
 * The generator's drift across years holds as `tools/generate/yearly-drift.ts` documents it: the
 * schedule itself, and its effect on generated cuts of a few thousand children (absenteeism rising,
 * the program's comunas falling behind the others after the opening, registry surveys ageing),
 * with the same seed and cut still giving the same bytes.
 */
import { describe, expect, it } from 'vitest';
import type { GeneratedCut } from '../../../tools/generate/generator';
import { generateCut } from '../../../tools/generate/generator';
import {
  driftYears,
  PROGRAM_COMUNAS,
  programLogOddsIn,
  yearlyDrift,
} from '../../../tools/generate/yearly-drift';

const CHILDREN = 6_000;
const SEED = 913;
const cache = new Map<string, GeneratedCut>();
const cutOf = (cut: string): GeneratedCut => {
  const known = cache.get(cut);
  if (known) return known;
  const generated = generateCut({ children: CHILDREN, seed: SEED, cut, defectRate: 0 });
  cache.set(cut, generated);
  return generated;
};
const textOf = (g: GeneratedCut, source: string, encoding: BufferEncoding): string[] =>
  (g.files.find((f) => f.source === source)?.bytes.toString(encoding) ?? '').trim().split('\r\n').slice(1);

/** Share of enrolled children whose attendance over the months of the extract averages below 85 %. */
function lowAttendanceShare(g: GeneratedCut): number {
  const byChild = new Map<string, number[]>();
  for (const line of textOf(g, 'educacion', 'utf8')) {
    const cells = line.split(',');
    const run = cells[0] as string;
    byChild.set(run, [...(byChild.get(run) ?? []), Number(cells[6])]);
  }
  let low = 0;
  for (const values of byChild.values()) if (values.reduce((s, v) => s + v, 0) / values.length < 85) low++;
  return low / byChild.size;
}

/** Mean true probability of the program's comunas over the others'. */
function programRatio(g: GeneratedCut): number {
  const mean = (keep: (comuna: string) => boolean): number => {
    const rows = g.truth.filter((t) => keep(t.comuna));
    return rows.reduce((s, t) => s + t.probability, 0) / rows.length;
  };
  return mean((c) => PROGRAM_COMUNAS.includes(c)) / mean((c) => !PROGRAM_COMUNAS.includes(c));
}

/** Share of registry rows whose survey is more than 24 months older than the cut's month. */
function oldSurveyShare(g: GeneratedCut): number {
  const cutMonths = Number(g.cut.slice(0, 4)) * 12 + Number(g.cut.slice(5, 7));
  const rows = textOf(g, 'rsh', 'latin1');
  const old = rows.filter((line) => {
    const survey = line.split(';')[19] as string; // dd-mm-yyyy
    return cutMonths - (Number(survey.slice(6, 10)) * 12 + Number(survey.slice(3, 5))) > 24;
  });
  return old.length / rows.length;
}

describe('the drift schedule', () => {
  it('counts years from 2022-10 by months, is 0 before it and holds still from 2026-10', () => {
    expect(driftYears('2022-10')).toBe(0);
    expect(driftYears('2019-03')).toBe(0);
    expect(driftYears('2023-04')).toBe(0.5);
    expect(driftYears('2025-10')).toBe(3);
    expect(driftYears('2026-10')).toBe(4);
    expect(driftYears('2031-01')).toBe(4);
    expect(() => driftYears('2025-13')).toThrow(/yyyy-mm/);
  });

  it('leaves the origin cut as the generator without drift', () => {
    const origin = yearlyDrift('2022-10');
    expect(origin.absenceLogOdds).toBe(0);
    expect(origin.programLogOdds).toBe(-0);
    expect(origin.surveyAgeWeights).toEqual([30, 30, 20, 12, 8]);
  });

  it('raises absenteeism by 0.12 in log-odds a year and ages the registry surveys, up to 2026-10', () => {
    expect(yearlyDrift('2024-10').absenceLogOdds).toBeCloseTo(0.24, 10);
    expect(yearlyDrift('2026-10').surveyAgeWeights).toEqual([22, 30, 20, 16, 12]);
    expect(yearlyDrift('2029-10')).toEqual(yearlyDrift('2026-10'));
  });

  it('opens the program for the 2024-10 outcome window, −0.2 a year of operation up to −0.4, only in its comunas', () => {
    expect(yearlyDrift('2023-10').programLogOdds).toBe(-0);
    expect(yearlyDrift('2024-04').programLogOdds).toBeCloseTo(-0.1, 10);
    expect(yearlyDrift('2024-10').programLogOdds).toBeCloseTo(-0.2, 10);
    expect(yearlyDrift('2025-10').programLogOdds).toBeCloseTo(-0.4, 10);
    expect(yearlyDrift('2027-10').programLogOdds).toBeCloseTo(-0.4, 10);
    const drift = yearlyDrift('2025-10');
    expect(programLogOddsIn(drift, '13110')).toBeCloseTo(-0.4, 10);
    expect(programLogOddsIn(drift, '13101')).toBe(0);
  });
});

describe('generated cuts under the drift', () => {
  it('show absenteeism rising by about 1.75 percentage points a year', () => {
    const shares = ['2022-10', '2024-10', '2026-10'].map((cut) => lowAttendanceShare(cutOf(cut)));
    const [start, middle, end] = shares as [number, number, number];
    expect(start).toBeGreaterThan(0.17);
    expect(start).toBeLessThan(0.25);
    expect(middle).toBeGreaterThan(start);
    expect(end).toBeGreaterThan(middle);
    // Documented: about 21 % → 28 % over four years.
    expect(end - start).toBeGreaterThan(0.04);
    expect(end - start).toBeLessThan(0.1);
  });

  it("lower the program's comunas' true risk against the others' only after the opening", () => {
    const before = programRatio(cutOf('2023-10'));
    const after = programRatio(cutOf('2025-10'));
    expect(before).toBeGreaterThan(0.9);
    expect(before).toBeLessThan(1.1);
    // −0.4 in log-odds at rates near 5 % is about a third fewer cases.
    expect(after / before).toBeGreaterThan(0.6);
    expect(after / before).toBeLessThan(0.8);
    const outcomes = (g: GeneratedCut, inProgram: boolean): number => {
      const rows = g.truth.filter((t) => PROGRAM_COMUNAS.includes(t.comuna) === inProgram);
      return rows.reduce((s, t) => s + t.outcome, 0) / rows.length;
    };
    const late = cutOf('2025-10');
    expect(outcomes(late, true)).toBeLessThan(outcomes(late, false));
  });

  it('age the registry surveys: more of them older than two years', () => {
    const start = oldSurveyShare(cutOf('2022-10'));
    const end = oldSurveyShare(cutOf('2026-10'));
    // Documented: about 15 % → 21 %.
    expect(start).toBeGreaterThan(0.12);
    expect(start).toBeLessThan(0.18);
    expect(end - start).toBeGreaterThan(0.03);
    expect(end - start).toBeLessThan(0.09);
  });

  it('stay deterministic: the same seed and cut give the same bytes', () => {
    const again = generateCut({ children: CHILDREN, seed: SEED, cut: '2025-10', defectRate: 0 });
    const first = cutOf('2025-10');
    expect(again.manifest).toEqual(first.manifest);
    expect(again.truth).toEqual(first.truth);
    again.files.forEach((f, i) => {
      expect(f.bytes.equals(first.files[i]?.bytes as Buffer)).toBe(true);
    });
  });
});

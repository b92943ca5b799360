/**
 * The temporal validation: calibration in the large per cohort and per group of comunas, the PSI of
 * every feature and of the score against the pooled training cohorts (by the monitoring's code),
 * and findings that follow the figures rather than fixed text.
 */
import { describe, expect, it } from 'vitest';
import { binsOf, psi, sharesIn } from '../../../functions/score/domain/drift';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../functions/score/domain/features';
import { createRng } from '../../../tools/lib/rng';
import type { ScoredCohort } from '../../../tools/train/temporal';
import { temporalValidation } from '../../../tools/train/temporal';
import type { CohortFigures } from '../../../tools/train/temporal-card';
import { temporalFindings, temporalSection } from '../../../tools/train/temporal-card';

const PROGRAM = ['13110'];
const FLAG = FEATURE_NAMES.indexOf('asistencia_critica_3m');

/**
 * A cohort of `rows` children, half in the program's comuna, with the flag set in `flagShare` of
 * them, every child predicted `predicted`, and outcomes at `programRate` in the program's comuna
 * and `otherRate` elsewhere (exactly, by position).
 */
function cohort(
  role: ScoredCohort['role'],
  cut: string,
  options: { flagShare: number; predicted: number; programRate: number; otherRate: number; seed?: number },
): ScoredCohort {
  const rows = 2_000;
  const rng = createRng(options.seed ?? 1);
  const x = new Float32Array(rows * FEATURE_COUNT);
  const y = new Uint8Array(rows);
  const comunas: string[] = [];
  const probabilities = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const inProgram = r % 2 === 0;
    comunas.push(inProgram ? '13110' : '13101');
    const within = Math.floor(r / 2);
    y[r] = within < (inProgram ? options.programRate : options.otherRate) * (rows / 2) ? 1 : 0;
    for (let j = 0; j < FEATURE_COUNT; j++) x[r * FEATURE_COUNT + j] = rng.normal(0, 1);
    x[r * FEATURE_COUNT + FLAG] = r < options.flagShare * rows ? 1 : 0;
    probabilities[r] = options.predicted * (0.5 + rng.next());
  }
  const mean = probabilities.reduce((s, p) => s + p, 0) / rows;
  for (let r = 0; r < rows; r++) probabilities[r] = ((probabilities[r] as number) * options.predicted) / mean;
  return { role, cut, seed: options.seed ?? 1, set: { rows, x, y, comunas }, probabilities };
}

const calibrated = { flagShare: 0.2, predicted: 0.05, programRate: 0.05, otherRate: 0.05 };
const figures = (c: ScoredCohort, auc: number): CohortFigures => ({
  role: c.role,
  cut: c.cut,
  seed: c.seed,
  rows: c.set.rows,
  baseRate: c.set.y.reduce((s, v) => s + v, 0) / c.set.rows,
  model: { auc, precisionAtCapacity: 0.4, ece: 0.01 },
  oracle: { auc: auc + 0.02, precisionAtCapacity: 0.45 },
});

describe('temporalValidation', () => {
  const cohorts = [
    cohort('test', '2025-10', { ...calibrated, flagShare: 0.5, programRate: 0.03, seed: 4 }),
    cohort('train', '2022-10', { ...calibrated, seed: 1 }),
    cohort('train', '2023-10', { ...calibrated, seed: 2 }),
    cohort('validation', '2024-10', { ...calibrated, seed: 3 }),
  ];
  const t = temporalValidation(cohorts, PROGRAM);

  it('orders the cohorts oldest first and gives calibration in the large overall and per group of comunas', () => {
    expect(t.cohorts.map((c) => c.cut)).toEqual(['2022-10', '2023-10', '2024-10', '2025-10']);
    const test = t.cohorts[3];
    expect(test?.program.rows).toBe(1_000);
    expect(test?.program.observed).toBeCloseTo(0.03, 10);
    expect(test?.program.predicted).toBeCloseTo(0.05, 2);
    expect(test?.program.ratio).toBeCloseTo(0.6, 1);
    expect(test?.others.ratio).toBeCloseTo(1, 1);
    expect(test?.all.observed).toBeCloseTo(0.04, 10);
    expect(t.cohorts[0]?.all.ratio).toBeCloseTo(1, 1);
  });

  it('compares every later cohort with the pooled training cohorts by the monitoring code', () => {
    expect(t.stability.map((s) => `${s.cut} ${s.role}`)).toEqual(['2024-10 validation', '2025-10 test']);
    const test = t.stability[1];
    const flag = test?.features.find((f) => f.feature === 'asistencia_critica_3m');
    // Training: 20 % flagged; test: 50 %.
    const expected = psi([0.8, 0.2, 0], [0.5, 0.5, 0]);
    expect(flag?.psi).toBeCloseTo(expected, 4);
    expect(flag?.level).toBe('actuar');
    expect(test?.flagged[0]).toBe('asistencia_critica_3m');
    expect(t.stability[0]?.features.find((f) => f.feature === 'asistencia_critica_3m')?.level).toBe(
      'estable',
    );
    // A feature drawn alike in every cohort stays stable.
    const edad = test?.features.find((f) => f.feature === 'edad');
    expect(edad?.level).toBe('estable');
    expect(test?.features).toHaveLength(FEATURE_COUNT);
    // The score's PSI uses the training cohorts' deciles.
    const train = [
      ...Array.from(cohorts[1]?.probabilities ?? []),
      ...Array.from(cohorts[2]?.probabilities ?? []),
    ];
    const bins = binsOf(train);
    const direct = psi(sharesIn(bins, train), sharesIn(bins, cohorts[0]?.probabilities ?? []));
    expect(test?.score.psi).toBeCloseTo(direct, 4);
  });

  it('refuses cohorts without a training one', () => {
    expect(() => temporalValidation([cohort('test', '2025-10', calibrated)], PROGRAM)).toThrow(/training/);
  });
});

describe('the temporal findings', () => {
  const build = (test: Partial<typeof calibrated>) => {
    const cohorts = [
      cohort('train', '2022-10', { ...calibrated, seed: 1 }),
      cohort('validation', '2024-10', { ...calibrated, seed: 3 }),
      cohort('test', '2025-10', { ...calibrated, ...test, seed: 4 }),
    ];
    return {
      figures: cohorts.map((c, i) => figures(c, 0.8 + i * 0.005)),
      t: temporalValidation(cohorts, PROGRAM),
    };
  };

  it('say the model over-predicts in the program comunas and call for recalibration when it does', () => {
    const { figures: f, t } = build({ programRate: 0.03, flagShare: 0.5 });
    const text = temporalFindings(f, t);
    expect(text).toContain('the model expects');
    expect(text).toMatch(/observed over expected cases is 0\.6\d on the test cohort/);
    expect(text).toContain('should be recalibrated');
    expect(text).toContain('asistencia_critica_3m');
    expect(text).toContain("the model's AUC goes from 0.800 to 0.810");
    expect(text).toContain('the base rate goes from 5.0% to 4.0%');
  });

  it('say the model is calibrated and stable when the figures say so', () => {
    const { figures: f, t } = build({});
    const text = temporalFindings(f, t);
    expect(text).toContain('There the model is calibrated in the large');
    expect(text).toContain('no feature reaches the watch threshold of 0.1');
    expect(text).not.toContain('recalibrated');
    expect(text).not.toContain('over-predicts');
    expect(text).toContain('the base rate stays at 5.0%');
  });

  it('render a section with a row per cohort, one per group of comunas and a PSI column per later cohort', () => {
    const { figures: f, t } = build({ programRate: 0.03 });
    const lines = temporalSection(f, t);
    expect(lines[0]).toBe('## Temporal validation');
    expect(lines.filter((l) => l.startsWith('| 2025-10 | test |'))).toHaveLength(2);
    expect(lines).toContain('| | 2024-10 (validation) | 2025-10 (test) |');
    expect(lines.filter((l) => /^\| [a-z_0-9]+ \| \d/.test(l))).toHaveLength(FEATURE_COUNT + 1);
    expect(lines.at(-2)).toMatch(/^\*\*Findings\.\*\* /);
  });
});

/**
 * Every reason the roster shows is true of the child: a whole generated cohort is scored through the
 * production path (scoreComuna, the committed ONNX model through the real runner), and each shown
 * reason is checked against the child's own indicator values by conditions written here, apart from
 * the catalogue they test. Age and sex are context and never a reason.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Reason, RosterStore, ScoreUpdate } from '../../../functions/roster/domain/roster';
import { OnnxModelRunner } from '../../../functions/score/adapters/onnx-model-runner';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../functions/score/domain/features';
import { childrenAsOf, computeIndicators, surveyAgeMonths } from '../../../functions/score/domain/indicators';
import { MIN_REASON_WEIGHT } from '../../../functions/score/domain/prioritise';
import { REQUIRED_SOURCES, scoreComuna } from '../../../functions/score/domain/score-comuna';
import { cutKnowledgeDate } from '../../../functions/shared/domain/dates';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { generateCut } from '../../../tools/generate/generator';
import { curatedRecordsOfCut } from '../../../tools/train/dataset';

const CUT = '2026-10';
const SEED = 4_711;
const CHILDREN = 3_000;

type Values = (feature: string) => number;
const flag =
  (feature: string) =>
  (v: Values): boolean =>
    v(feature) === 1;

/** What must be true of the child for each feature's words, on its own values; absent = never a reason. */
const TRUE_OF_THE_CHILD: Record<string, (v: Values) => boolean> = {
  tramo_rsh_40: (v) => Math.round(v('tramo_rsh') * 10) <= 40,
  tramo_rsh: (v) => Math.round(v('tramo_rsh') * 10) <= 60,
  personas_por_dormitorio: (v) => v('personas_por_dormitorio') >= 2.5,
  hacinamiento_critico: (v) => v('personas_por_dormitorio') >= 2.5,
  log_ingreso_per_capita: (v) => Math.expm1(v('log_ingreso_per_capita')) < 100_000,
  escolaridad_jefatura: (v) => v('escolaridad_jefatura') < 12,
  hogar_monoparental: flag('hogar_monoparental'),
  discapacidad_en_hogar: flag('discapacidad_en_hogar'),
  inasistencia_3m: (v) => v('inasistencia_3m') >= 0.1,
  asistencia_critica_3m: (v) => flag('asistencia_critica_3m')(v) && v('inasistencia_3m') > 0.15,
  sin_matricula_3m: flag('sin_matricula_3m'),
  repitencia_12m: flag('repitencia_12m'),
  retiro_escolar_12m: flag('retiro_escolar_12m'),
  ficha_rsh_antigua: flag('ficha_rsh_antigua'),
  victima_24h_12m: flag('victima_24h_12m'),
  victima_24h_13_36m: flag('victima_24h_13_36m'),
  infractor_24h_12m: flag('infractor_24h_12m'),
  salud_mental_12m: flag('salud_mental_12m'),
  tratamiento_drogas_12m: flag('tratamiento_drogas_12m'),
  embarazo_adolescente_12m: flag('embarazo_adolescente_12m'),
  sin_control_sano_12m: flag('sin_control_sano_12m'),
  adulto_privado_libertad: flag('adulto_privado_libertad'),
  adulto_egreso_penal_24m: flag('adulto_egreso_penal_24m'),
  proteccion_12m: flag('proteccion_12m'),
  proteccion_13_36m: flag('proteccion_13_36m'),
};

/** What the registry survey says of the household: never told from a survey over 2 years old. */
const REGISTRY_HOUSEHOLD = new Set([
  'tramo_rsh_40',
  'tramo_rsh',
  'personas_por_dormitorio',
  'hacinamiento_critico',
  'log_ingreso_per_capita',
  'escolaridad_jefatura',
  'hogar_monoparental',
  'discapacidad_en_hogar',
]);

/** Registry data and a parent's prison stay concern the household; everything else the child. */
const HOUSEHOLD = new Set([
  'tramo_rsh_40',
  'tramo_rsh',
  'personas_por_dormitorio',
  'hacinamiento_critico',
  'log_ingreso_per_capita',
  'escolaridad_jefatura',
  'hogar_monoparental',
  'discapacidad_en_hogar',
  'ficha_rsh_antigua',
  'adulto_privado_libertad',
  'adulto_egreso_penal_24m',
]);

describe('the reasons of a scored cohort', () => {
  it('are each true of the child, raise its risk, say whom, where and when they concern, and are never age or sex', async () => {
    const generated = generateCut({ children: CHILDREN, seed: SEED, cut: CUT, defectRate: 0 });
    const records = await curatedRecordsOfCut(generated, createPseudonymiser('k'.repeat(64)));
    const model = await OnnxModelRunner.fromBytes(await readFile('layers/model/risk-model.onnx'));
    const written: ScoreUpdate[] = [];
    const roster = {
      lastInputs: async () => undefined,
      writeScores: async (_run: unknown, updates: readonly ScoreUpdate[]) => {
        written.push(...updates);
      },
      markHead: async () => {},
      completeRun: async () => true,
      removeStale: async () => ({ removed: 0, unscored: 0 }),
    } as unknown as RosterStore;
    const curated = {
      currentRun: async (_cut: string, source: string) => `${source}-run`,
      records: async () => records,
    };

    const outcome = await scoreComuna({ curated, model, roster }, CUT, '13101');

    expect(outcome).toMatchObject({ status: 'scored' });
    const asOf = cutKnowledgeDate(CUT);
    if (!asOf) throw new Error(`bad cut ${CUT}`);
    const { children } = childrenAsOf(records, asOf);
    const row = new Float32Array(FEATURE_COUNT);
    const untrue: string[] = [];
    const fromOldSurvey: string[] = [];
    let oldSurveys = 0;
    let shown = 0;
    for (const update of written) {
      const sources = children.get(update.childId);
      expect(sources && computeIndicators(sources, asOf, row)).toBe(true);
      const values: Values = (feature) => row[FEATURE_NAMES.indexOf(feature)] as number;
      expect(update.reasons.length).toBeLessThanOrEqual(3);
      // Past 24 months the registry's picture of the household may no longer be true.
      const oldSurvey = sources ? surveyAgeMonths(sources.rsh, asOf) > 24 : false;
      if (oldSurvey) oldSurveys++;
      for (const reason of update.reasons as readonly Reason[]) {
        shown++;
        if (oldSurvey && REGISTRY_HOUSEHOLD.has(reason.feature)) {
          fromOldSurvey.push(`${update.childId}: ${reason.feature} "${reason.text}"`);
        }
        const holds = TRUE_OF_THE_CHILD[reason.feature];
        if (!holds?.(values)) untrue.push(`${update.childId}: ${reason.feature} "${reason.text}"`);
        expect(reason.weight).toBeGreaterThanOrEqual(MIN_REASON_WEIGHT);
        expect(reason).toMatchObject({
          concerns: HOUSEHOLD.has(reason.feature) ? 'hogar' : 'niño',
          cut: CUT,
        });
        expect(REQUIRED_SOURCES).toContain(reason.source);
        expect(reason.window).toMatch(/\S/);
        // A household reason from the registry says how old the survey it describes is.
        if (reason.source === 'rsh' && reason.concerns === 'hogar') {
          expect(reason.text).toMatch(/ \(ficha de \d{4}-\d{2}, (hace \d+ mes(es)?|del mes del corte)\)$/);
        }
      }
    }
    expect(untrue.slice(0, 10)).toEqual([]);
    expect(fromOldSurvey.slice(0, 10)).toEqual([]);
    expect(oldSurveys).toBeGreaterThan(written.length * 0.05); // the check is not vacuous
    expect(written.length).toBeGreaterThan(CHILDREN * 0.9);
    // Not vacuous: most children at the head of the roster get reasons.
    expect(shown).toBeGreaterThan(written.length / 2);
  }, 120_000);
});

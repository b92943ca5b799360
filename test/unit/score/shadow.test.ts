/**
 * Shadow scoring: the comparison of a candidate with the deployed version (selection at the OLN's
 * capacity, ventiles, PSI, reasons, group rates), its place in `scoreComuna` (the roster keeps the
 * deployed version's scores; unchanged inputs still get a missing report; a promoted version's new
 * inputs rescore), and metrics on known outcomes only when the system holds such a cohort.
 */
import { describe, expect, it } from 'vitest';
import type { ShadowReport } from '../../../functions/models/domain/shadow-report';
import type { RosterStore, ScoreUpdate, ScoringRun } from '../../../functions/roster/domain/roster';
import type { CuratedRecords } from '../../../functions/score/domain/curated-records';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../functions/score/domain/features';
import type { ModelRunner } from '../../../functions/score/domain/model-info';
import type { CuratedReader } from '../../../functions/score/domain/score-comuna';
import { scoreComuna } from '../../../functions/score/domain/score-comuna';
import type { ScoredChild } from '../../../functions/score/domain/shadow';
import { cohortMetrics, selectionAt, shadowReport } from '../../../functions/score/domain/shadow';
import { compareOnOutcomes, findOutcomeCohort } from '../../../functions/score/domain/shadow-outcomes';
import type { RshRecord } from '../../../functions/shared/domain/curated-records';
import { capacityFor } from '../../../functions/shared/domain/oln-capacity';
import { allSourceRuns, rshRecord } from './score-fixtures';

const rsh = (id: string, over: Partial<RshRecord> = {}): RshRecord =>
  rshRecord(id, { surveyDate: '2024-01-01', ...over });

const IDS = Array.from({ length: 120 }, (_, i) => `n-${String(i).padStart(3, '0')}`);
const records = (proteccion: CuratedRecords['proteccion'] = []): CuratedRecords => ({
  rsh: IDS.map((id, i) => rsh(id, { sex: i % 2 ? 'M' : 'F', migrant: i % 10 === 0 })),
  educacion: [],
  salud: [],
  policia: [],
  proteccion,
  registro_civil: [],
  privacion_libertad: [],
});

/** A model ranking children by position, rising (`up`) or falling; its version names the direction. */
function model(version: string, up: boolean): ModelRunner {
  return {
    info: {
      version,
      features: [...FEATURE_NAMES],
      ventileCutPoints: Array.from({ length: 19 }, (_, i) => (i + 1) / 20),
      trainingDataSha256: 'a'.repeat(64),
      weightsSha256: 'b'.repeat(64),
      metrics: { auc: up ? 0.8 : 0.7 },
      trainedOn: 'test',
    },
    async run(_features, rows) {
      const probability = Float32Array.from({ length: rows }, (_, i) => (up ? i + 1 : rows - i) / (rows + 1));
      const contributions = new Float32Array(rows * FEATURE_COUNT).fill(0.1);
      return { probability, contributions };
    },
  };
}

const RUNS = allSourceRuns();

function fakeRoster() {
  const written: { modelVersion: string; updates: ScoreUpdate[] }[] = [];
  let last: string | undefined;
  const roster = {
    writeScores: async (run: { modelVersion: string }, updates: readonly ScoreUpdate[]) => {
      written.push({ modelVersion: run.modelVersion, updates: [...updates] });
    },
    markHead: async () => {},
    completeRun: async (run: ScoringRun) => {
      last = run.inputs;
      return true;
    },
    removeStale: async () => ({ removed: 0, unscored: 0 }),
    lastInputs: async () => last,
  } as unknown as RosterStore;
  return { roster, written };
}

const curated = (byCut: Record<string, CuratedRecords> = { '2026-10': records() }): CuratedReader => ({
  currentRun: async (cut, source) => (byCut[cut] ? (RUNS as Record<string, string>)[source] : undefined),
  records: async (cut) => byCut[cut] ?? records(),
});

function reports() {
  const kept = new Map<string, ShadowReport>();
  return {
    kept,
    deps: (shadow: ModelRunner) => ({
      model: shadow,
      hasReport: async (v: string, cut: string, comuna: string) => kept.has(`${v}/${cut}/${comuna}`),
      writeReport: async (r: ShadowReport) => {
        kept.set(`${r.shadowVersion}/${r.cut}/${r.comuna}`, r);
      },
    }),
  };
}

const child = (
  childId: string,
  probability: number,
  ventile: number,
  reasons: string[] = [],
): ScoredChild => ({
  childId,
  probability,
  ventile,
  reasons,
});
const NO_OUTCOMES = {
  cohortCut: null,
  outcomeCut: null,
  children: null,
  withOutcome: null,
  deployed: null,
  shadow: null,
  message: 'sin cohorte',
};

describe('shadow comparison', () => {
  it('compares the selections at the OLN capacity, ventiles, PSI, reasons and group rates', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `n-${i}`);
    const deployed = ids.map((id, i) =>
      child(id, (i + 1) / 201, 1 + Math.floor(i / 10), ['inasistencia_3m']),
    );
    // The candidate swaps the two highest children with two of the lowest; everyone else is the same.
    const shadow = deployed.map((c, i) =>
      i === 199 || i === 198
        ? { ...c, probability: 0.001, ventile: 1, reasons: ['proteccion_12m'] }
        : i < 2
          ? { ...c, probability: 0.99 - i / 1000, ventile: 20, reasons: ['proteccion_12m'] }
          : c,
    );
    const groups = new Map(ids.map((id, i) => [id, { sexo: i % 2 ? 'M' : 'F' }]));
    const capacity = capacityFor('13101', 200);
    const report = shadowReport({
      comuna: '13101',
      cut: '2026-10',
      generatedAt: 'now',
      deployed: { version: 'logistic-1-aaaaaaaa', metrics: { auc: 0.8 } },
      shadow: { version: 'logistic-2-bbbbbbbb', metrics: { auc: 0.81 } },
      deployedScores: deployed,
      shadowScores: shadow,
      groups,
      outcomes: NO_OUTCOMES,
    });
    expect(report.capacity).toBe(capacity);
    expect(capacity).toBe(3);
    // Deployed selects 199, 198, 197; the candidate 0, 1, 197.
    expect(report.overlap).toEqual({ both: 1, onlyDeployed: 2, onlyShadow: 2, share: 0.3333 });
    expect(report.ventileShifts).toMatchObject({ same: 196, up: 2, down: 2 });
    expect(report.ventileShifts.byShift).toEqual([
      { shift: -19, children: 2 },
      { shift: 0, children: 196 },
      { shift: 19, children: 2 },
    ]);
    // Two children leave the top decile and two enter it: the distribution, and its PSI, do not move.
    expect(report.score).toMatchObject({ psi: 0, level: 'estable' });
    expect(report.reasons.byFeature).toEqual([
      { feature: 'inasistencia_3m', deployed: 3, shadow: 1 },
      { feature: 'proteccion_12m', deployed: 0, shadow: 2 },
    ]);
    expect(report.reasons).toMatchObject({ comparedChildren: 1, sameFirstReason: 1, sameReasons: 1 });
    const f = report.groups.find((g) => g.group === 'F');
    expect(f).toMatchObject({ attribute: 'sexo', children: 100, deployedSelected: 1, shadowSelected: 1 });
    expect(report.cardMetrics).toEqual({ deployed: { auc: 0.8 }, shadow: { auc: 0.81 } });
    expect(report.message).toMatch(/selecciona 1 de los 3 que selecciona la desplegada/);
  });

  it('gives a PSI of zero and full overlap for identical scores', () => {
    const scores = Array.from({ length: 100 }, (_, i) => child(`n-${i}`, i / 100, 1 + Math.floor(i / 5)));
    const report = shadowReport({
      comuna: '13101',
      cut: '2026-10',
      generatedAt: 'now',
      deployed: { version: 'a', metrics: {} },
      shadow: { version: 'b', metrics: {} },
      deployedScores: scores,
      shadowScores: scores,
      groups: new Map(),
      outcomes: NO_OUTCOMES,
    });
    expect(report.score).toMatchObject({ psi: 0, level: 'estable' });
    expect(report.overlap.share).toBe(1);
    expect(report.ventileShifts.byShift).toEqual([{ shift: 0, children: 100 }]);
  });

  it('computes AUC with ties counted half, and precision and recall at capacity', () => {
    const scores = [child('a', 0.9, 1), child('b', 0.8, 1), child('c', 0.8, 1), child('d', 0.1, 1)];
    expect(cohortMetrics(scores, new Set(['a', 'b']), 2)).toEqual({
      auc: 0.875,
      precisionAtCapacity: 1,
      recallAtCapacity: 1,
    });
    expect(cohortMetrics(scores, new Set(['d']), 1)).toEqual({
      auc: 0,
      precisionAtCapacity: 0,
      recallAtCapacity: 0,
    });
    expect(cohortMetrics(scores, new Set(), 1).auc).toBeNull();
    expect([...selectionAt(scores, 2)]).toEqual(['a', 'b']);
  });

  it('selects in roster order: a child the head rule demotes comes after every other', () => {
    const scores = [{ ...child('a', 0.9, 1), demoted: true }, child('b', 0.8, 1), child('c', 0.7, 1)];
    expect([...selectionAt(scores, 2)].sort()).toEqual(['b', 'c']);
    expect([...selectionAt(scores, 3)].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('scoreComuna with a version in shadow', () => {
  it('keeps the roster to the deployed version and writes the shadow report beside it', async () => {
    const { roster, written } = fakeRoster();
    const r = reports();
    const outcome = await scoreComuna(
      {
        curated: curated(),
        model: model('logistic-1-aaaaaaaa', true),
        roster,
        shadow: r.deps(model('logistic-2-bbbbbbbb', false)),
      },
      '2026-10',
      '13101',
    );
    expect(outcome).toMatchObject({
      status: 'scored',
      modelVersion: 'logistic-1-aaaaaaaa',
      shadowVersion: 'logistic-2-bbbbbbbb',
    });
    expect(new Set(written.map((w) => w.modelVersion))).toEqual(new Set(['logistic-1-aaaaaaaa']));
    const report = r.kept.get('logistic-2-bbbbbbbb/2026-10/13101');
    expect(report?.children).toBe(IDS.length);
    expect(report?.capacity).toBe(capacityFor('13101', IDS.length));
    // Opposite rankings: no child selected by both.
    expect(report?.overlap.both).toBe(0);
    expect(report?.outcomes.cohortCut).toBeNull();
    expect(report?.outcomes.message).toMatch(/^El sistema no tiene una cohorte con resultados conocidos/);
    expect(
      report?.groups.some((g) => g.attribute === 'migrante' && g.group === 'sí' && g.children === 12),
    ).toBe(true);
  });

  it('writes a missing report for unchanged inputs without touching the roster, and then skips', async () => {
    const { roster, written } = fakeRoster();
    const deployed = model('logistic-1-aaaaaaaa', true);
    await scoreComuna({ curated: curated(), model: deployed, roster }, '2026-10', '13101');
    const writes = written.length;
    const r = reports();
    const deps = {
      curated: curated(),
      model: deployed,
      roster,
      shadow: r.deps(model('logistic-2-bbbbbbbb', false)),
    };
    expect(await scoreComuna(deps, '2026-10', '13101')).toMatchObject({
      status: 'unchanged',
      shadowVersion: 'logistic-2-bbbbbbbb',
    });
    expect(r.kept.size).toBe(1);
    expect(written).toHaveLength(writes);
    r.kept.clear();
    r.kept.set('logistic-2-bbbbbbbb/2026-10/13101', {} as ShadowReport);
    await scoreComuna(deps, '2026-10', '13101');
    expect(r.kept.get('logistic-2-bbbbbbbb/2026-10/13101')).toEqual({});
  });

  it('rescores when the deployed version changes, stamping the new version on every entry', async () => {
    const { roster, written } = fakeRoster();
    await scoreComuna(
      { curated: curated(), model: model('logistic-1-aaaaaaaa', true), roster },
      '2026-10',
      '13101',
    );
    const promoted = await scoreComuna(
      { curated: curated(), model: model('logistic-2-bbbbbbbb', false), roster },
      '2026-10',
      '13101',
    );
    expect(promoted).toMatchObject({
      status: 'scored',
      modelVersion: 'logistic-2-bbbbbbbb',
      scored: IDS.length,
    });
    expect(written.at(-1)?.modelVersion).toBe('logistic-2-bbbbbbbb');
  });
});

describe('metrics on a cohort with known outcomes', () => {
  it('finds none without a cut 12 months back and a later protection cut', async () => {
    expect(await findOutcomeCohort(curated(), '2026-10')).toBeUndefined();
    const out = await compareOnOutcomes(curated(), model('a', true), model('b', false), '2026-10', '13101');
    expect(out).toMatchObject({ cohortCut: null, deployed: null, shadow: null });
  });

  it('computes both versions’ figures on the cohort, with outcomes from the later protection cut', async () => {
    // Entries into protection within 12 months of 2025-10 for the five children ranked highest by `up`.
    const entered = IDS.slice(-5).map((childId) => ({ childId, entryDate: '2026-03-15' }));
    const reader = curated({ '2025-10': records(), '2026-10': records(entered) });
    expect(await findOutcomeCohort(reader, '2026-10')).toEqual({
      cohortCut: '2025-10',
      outcomeCut: '2026-10',
    });
    const out = await compareOnOutcomes(reader, model('a', true), model('b', false), '2026-10', '13101');
    expect(out).toMatchObject({
      cohortCut: '2025-10',
      outcomeCut: '2026-10',
      children: IDS.length,
      withOutcome: 5,
    });
    expect(out.deployed).toEqual({ auc: 1, precisionAtCapacity: 1, recallAtCapacity: 0.4 });
    expect(out.shadow).toMatchObject({ auc: 0, precisionAtCapacity: 0 });
  });
});

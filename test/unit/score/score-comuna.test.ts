import { describe, expect, it } from 'vitest';
import type { RosterStore, ScoreUpdate, ScoringRun } from '../../../functions/roster/domain/roster';
import type { RshRecord } from '../../../functions/score/domain/curated-records';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../functions/score/domain/features';
import type { ModelRunner } from '../../../functions/score/domain/model-info';
import type { CuratedReader } from '../../../functions/score/domain/score-comuna';
import { scoreComuna } from '../../../functions/score/domain/score-comuna';

const child = (id: string): RshRecord => ({
  childId: id,
  comuna: '13101',
  birthDate: '2014-01-01',
  sex: 'F',
  householdId: 'h-1',
  rshBracket: 40,
  householdSize: 4,
  bedrooms: 2,
  incomePerCapita: 100_000,
  headSchoolingYears: 10,
  singleParent: false,
  disabilityInHousehold: false,
  indigenous: false,
  migrant: false,
  surveyDate: '2026-01-01',
});

/** A model whose probability is the child's position, so ranking is predictable. */
const model: ModelRunner = {
  info: {
    version: 'm-1',
    features: [...FEATURE_NAMES],
    ventileCutPoints: Array.from({ length: 19 }, (_, i) => (i + 1) / 20),
    trainingDataSha256: 'a'.repeat(64),
    metrics: {},
    trainedOn: 'test',
  },
  async run(_features, rows) {
    const probability = Float32Array.from({ length: rows }, (_, i) => (i + 1) / (rows + 1));
    const contributions = new Float32Array(rows * FEATURE_COUNT).fill(0.1);
    return { probability, contributions };
  },
};

function fakes(runs: Record<string, string | undefined>) {
  const written: ScoreUpdate[][] = [];
  let last: ScoringRun | undefined;
  const curated: CuratedReader = {
    currentRun: async (_cut, source) => runs[source],
    records: async () => ({
      rsh: [child('n-a'), child('n-b')],
      educacion: [],
      salud: [],
      policia: [],
      proteccion: [],
      registro_civil: [],
      privacion_libertad: [],
    }),
  };
  const roster = {
    writeScores: async (_run: unknown, updates: readonly ScoreUpdate[]) => void written.push([...updates]),
    completeRun: async (run: ScoringRun) => {
      last = run;
    },
    lastInputs: async () => last?.inputs,
  } as unknown as RosterStore;
  return { curated, roster, written, last: () => last };
}

describe('scoreComuna', () => {
  it('waits for the sources it reads, scores once, and skips while model and source runs are unchanged', async () => {
    const runs: Record<string, string | undefined> = {
      rsh: 'r1',
      educacion: undefined,
      salud: 's1',
      policia: undefined,
      proteccion: 'p1',
      registro_civil: 'c1',
      privacion_libertad: 'd1',
    };
    const f = fakes(runs);
    const deps = { curated: f.curated, model, roster: f.roster };
    expect(await scoreComuna(deps, '2026-10', '13101')).toEqual({
      status: 'waiting',
      missingSources: ['educacion', 'policia'],
    });
    runs.educacion = 'e1';
    runs.policia = 'x1';
    const first = await scoreComuna(deps, '2026-10', '13101');
    expect(first).toMatchObject({ status: 'scored', scored: 2 });
    expect(f.written.flat().map((u) => u.ventile)).toEqual([7, 14]);
    expect(await scoreComuna(deps, '2026-10', '13101')).toEqual({
      status: 'unchanged',
      inputs: 'm-1|r1|e1|s1|x1|p1|c1|d1',
    });
    runs.educacion = 'e2';
    expect(await scoreComuna(deps, '2026-10', '13101')).toMatchObject({ status: 'scored' });
    expect(f.last()?.inputs).toBe('m-1|r1|e2|s1|x1|p1|c1|d1');
  });
});

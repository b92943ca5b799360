import { describe, expect, it } from 'vitest';
import type { RosterStore, ScoreUpdate, ScoringRun } from '../../../functions/roster/domain/roster';
import { ObjectDriftStore } from '../../../functions/score/domain/drift-store';
import { FEATURE_NAMES, REASONS_VERSION } from '../../../functions/score/domain/features';
import type { CuratedReader } from '../../../functions/score/domain/score-comuna';
import { ENTRY_FIELDS_VERSION, scoreComuna } from '../../../functions/score/domain/score-comuna';
import { driftKeys } from '../../../functions/shared/domain/curated';
import type { RshRecord } from '../../../functions/shared/domain/curated-records';
import { PRIORITISATION } from '../../../functions/shared/domain/prioritisation';
import { MemoryStore } from '../ingest/memory-ports';
import { allSourceRuns, fixedModel, registryOnly, registryRecords, rshRecord } from './score-fixtures';

/** The head rule's part of the run inputs under the configured default. */
const HEAD_RULE = `child-signal-${PRIORITISATION.requireChildSignal ? 'on' : 'off'}`;

const child = (id: string): RshRecord => rshRecord(id, { householdId: 'h-1' });

/** A model whose probability is the child's position, so ranking is predictable. */
const model = fixedModel(
  (i, rows) => (i + 1) / (rows + 1),
  () => 0.1,
);

function fakes(runs: Record<string, string | undefined>) {
  const written: ScoreUpdate[][] = [];
  const stamps: { runId: string; scoredAt: string }[] = [];
  const calls: string[] = [];
  const swept: string[] = [];
  let last: ScoringRun | undefined;
  let settled = false;
  let current = true;
  const curated = registryOnly(runs, [child('n-a'), child('n-b')], (source) => calls.push(`read ${source}`));
  const roster = {
    writeScores: async (run: { runId: string; scoredAt: string }, updates: readonly ScoreUpdate[]) => {
      stamps.push({ runId: run.runId, scoredAt: run.scoredAt });
      written.push([...updates]);
    },
    markHead: async () => {},
    completeRun: async (run: ScoringRun) => {
      calls.push('complete');
      if (!current) return false;
      last = run;
      settled = false;
      return true;
    },
    removeStale: async (run: { runId: string }) => {
      swept.push(run.runId);
      settled = true;
      return { removed: 3, unscored: 1 };
    },
    lastInputs: async () => (settled ? last?.inputs : undefined),
  } as unknown as RosterStore;
  return {
    curated,
    roster,
    written,
    stamps,
    calls,
    swept,
    last: () => last,
    supersede: () => {
      current = false;
    },
  };
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
      inputs: `m-1|reasons-${REASONS_VERSION}|entries-${ENTRY_FIELDS_VERSION}|${HEAD_RULE}|r1|e1|s1|x1|p1|c1|d1`,
    });
    runs.educacion = 'e2';
    expect(await scoreComuna(deps, '2026-10', '13101')).toMatchObject({ status: 'scored' });
    expect(f.last()?.inputs).toBe(
      `m-1|reasons-${REASONS_VERSION}|entries-${ENTRY_FIELDS_VERSION}|${HEAD_RULE}|r1|e2|s1|x1|p1|c1|d1`,
    );
  });

  it('stamps every entry with an id of its inputs, then removes what earlier runs left once current', async () => {
    const runs = allSourceRuns();
    const f = fakes(runs);
    let clock = Date.parse('2026-11-20T10:00:00Z');
    const now = (): Date => {
      f.calls.push('clock');
      return new Date(clock++);
    };
    const deps = { curated: f.curated, model, roster: f.roster, batchSize: 1, now };
    expect(await scoreComuna(deps, '2026-10', '13101')).toMatchObject({
      status: 'scored',
      scored: 2,
      removed: 3,
      unscored: 1,
    });
    // The start time is taken before the inputs are read, so a later start never read older inputs.
    expect(f.calls.indexOf('clock')).toBeLessThan(f.calls.indexOf('read rsh'));
    expect(f.calls.at(-1)).toBe('complete');
    expect(new Set(f.stamps.map((s) => s.runId)).size).toBe(1);
    const runId = f.stamps[0]?.runId;
    expect(f.last()?.runId).toBe(runId);
    expect(f.swept).toEqual([runId]);

    // The corrected registry of the same cut: another run id, and its own sweep.
    runs.rsh = 'r2';
    await scoreComuna(deps, '2026-10', '13101');
    expect(f.swept).toHaveLength(2);
    expect(f.swept[1]).not.toBe(runId);
    // Back to the same inputs (a redelivered request): the same id as before.
    runs.rsh = 'r1';
    await scoreComuna(deps, '2026-10', '13101');
    expect(f.swept[2]).toBe(runId);
  });

  it('leaves the roster to a run that started later and is already current', async () => {
    const f = fakes(allSourceRuns());
    f.supersede();
    const outcome = await scoreComuna({ curated: f.curated, model, roster: f.roster }, '2026-10', '13101');
    expect(outcome).toEqual({
      status: 'superseded',
      inputs: `m-1|reasons-${REASONS_VERSION}|entries-${ENTRY_FIELDS_VERSION}|${HEAD_RULE}|r1|e1|s1|x1|p1|c1|d1`,
    });
    expect(f.swept).toEqual([]);
  });

  it("writes each cut's drift against the comuna's previous scored cut, and says the first has none", async () => {
    const runs = allSourceRuns();
    const store = new MemoryStore();
    const drift = new ObjectDriftStore(store);
    const f = fakes(runs);
    await scoreComuna({ curated: f.curated, model, roster: f.roster, drift }, '2026-10', '13101');
    const first = await drift.report('13101', '2026-10');
    expect(first).toMatchObject({ previousCut: null, score: null, features: [], children: 2 });
    expect(first?.message).toMatch(/no hay un corte anterior/);
    // Only the bins and shares are kept for the next cut, never a child's values or pseudonym.
    expect(store.objects.get(driftKeys.profile('13101', '2026-10'))?.toString()).not.toMatch(/n-a|n-b/);

    await scoreComuna(
      { curated: fakes(runs).curated, model, roster: fakes(runs).roster, drift },
      '2026-11',
      '13101',
    );
    const second = await drift.report('13101', '2026-11');
    expect(second).toMatchObject({
      previousCut: '2026-10',
      score: { psi: 0, level: 'estable' },
      flagged: [],
    });
    expect(second?.features.map((x) => x.feature)).toEqual([...FEATURE_NAMES]);
  });
});

describe('scoreComuna with registry surveys dated after the cut', () => {
  const runs = allSourceRuns();
  const records = registryRecords([
    // Surveyed before the cut and again after it: the earlier survey is the one known at the cut.
    { ...child('n-both'), surveyDate: '2024-12-15', rshBracket: 40 },
    { ...child('n-both'), surveyDate: '2026-11-20', rshBracket: 90 },
    // Surveyed only after the cut: nothing about the household was known at the cut.
    { ...child('n-later'), surveyDate: '2026-11-05' },
    child('n-before'),
  ]);

  it('keeps the latest survey dated on or before the cut, and counts the children with only later ones', async () => {
    const f = fakes(runs);
    const curated: CuratedReader = { ...f.curated, records: async () => records };
    const outcome = await scoreComuna({ curated, model, roster: f.roster }, '2026-10', '13101');
    const ids = f.written.flat().map((u) => u.childId);
    expect(ids.sort()).toEqual(['n-before', 'n-both']);
    // The household reasons come from the 2024-12 survey (tramo 40), not the November one (tramo 90).
    const both = f.written.flat().find((u) => u.childId === 'n-both');
    expect(both?.reasons.map((r) => r.feature)).toContain('tramo_rsh_40');
    expect(outcome).toMatchObject({ status: 'scored', scored: 2, excluded: { surveyAfterCut: 1 } });
    expect(f.last()).toMatchObject({ scored: 2, excluded: { surveyAfterCut: 1 } });
  });

  it('tells the age of the registry survey in the household reasons taken from it', async () => {
    const f = fakes(runs);
    const curated: CuratedReader = { ...f.curated, records: async () => records };
    await scoreComuna({ curated, model, roster: f.roster }, '2026-10', '13101');
    const both = f.written.flat().find((u) => u.childId === 'n-both');
    const fromRegistry = both?.reasons.filter((r) => r.source === 'rsh' && r.concerns === 'hogar') ?? [];
    expect(fromRegistry.length).toBeGreaterThan(0);
    for (const r of fromRegistry) expect(r.text).toMatch(/\(ficha de 2024-12, hace 22 meses\)$/);
  });
});

describe('the model head and what the case feature reads', () => {
  it('marks the first children in roster order at the OLN capacity as the head, before the run becomes current, and writes each child’s household and facts', async () => {
    // 118 children at Santiago's 1.7 % make a head of two; probability rises with the position.
    const children = Array.from({ length: 118 }, (_, i) =>
      rshRecord(`n-${String(i).padStart(3, '0')}`, { householdId: `h-${i % 50}`, rshBracket: 40 }),
    );
    const written: ScoreUpdate[] = [];
    const calls: string[] = [];
    let head: readonly string[] = [];
    const roster = {
      writeScores: async (_run: unknown, updates: readonly ScoreUpdate[]) => {
        written.push(...updates);
      },
      markHead: async (_run: unknown, ids: readonly string[]) => {
        calls.push('head');
        head = ids;
      },
      completeRun: async () => {
        calls.push('complete');
        return true;
      },
      removeStale: async () => ({ removed: 0, unscored: 0 }),
      lastInputs: async () => undefined,
    } as unknown as RosterStore;
    const deps = { curated: registryOnly(allSourceRuns(), children), model, roster, batchSize: 7 };
    expect(await scoreComuna(deps, '2026-10', '13101')).toMatchObject({ status: 'scored', scored: 118 });
    const byProbability = [...written].sort((a, b) => b.probability - a.probability).map((u) => u.childId);
    expect(head).toEqual(byProbability.slice(0, 2));
    expect(calls).toEqual(['head', 'complete']);
    const first = written.find((u) => u.childId === 'n-051');
    expect(first?.family).toBe('h-1');
    expect(first?.facts).toMatchObject({ rsh40: true, adultDeprivedOfLiberty: false, offender12m: false });
    expect(first?.facts.ageYears).toBeGreaterThanOrEqual(0);
  });
});

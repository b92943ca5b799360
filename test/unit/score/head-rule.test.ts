/**
 * The rule "at least one child-level signal to be prioritised by the model": the decision on a
 * child's shown reasons, and the production scoring path marking the children it ranks after the
 * model's head, with the setting among the run's inputs.
 */
import { describe, expect, it } from 'vitest';
import {
  demotionOf,
  HOUSEHOLD_ONLY_TEXT,
  hasChildSignal,
  householdOnly,
  NO_REASON_TEXT,
} from '../../../functions/roster/domain/head-rule';
import type { RosterStore, ScoreUpdate, ScoringRun } from '../../../functions/roster/domain/roster';
import { FEATURES } from '../../../functions/score/domain/features';
import { scoreComuna } from '../../../functions/score/domain/score-comuna';
import { allSourceRuns, fixedModel, registryOnly, rshRecord } from './score-fixtures';

const ON = { requireChildSignal: true };
const OFF = { requireChildSignal: false };
const hogar = { concerns: 'hogar' as const };
const nino = { concerns: 'niño' as const };

describe('the head rule on shown reasons', () => {
  it('demotes a child whose reasons are all about the household, or who has none, only when on', () => {
    expect(demotionOf([hogar, hogar], ON)).toEqual({ rule: 'child-signal', text: HOUSEHOLD_ONLY_TEXT });
    expect(demotionOf([], ON)).toEqual({ rule: 'child-signal', text: NO_REASON_TEXT });
    expect(demotionOf([hogar, nino], ON)).toBeUndefined();
    expect(demotionOf([nino], ON)).toBeUndefined();
    expect(demotionOf([hogar], OFF)).toBeUndefined();
    expect(demotionOf([], OFF)).toBeUndefined();
  });

  it('tells household-only reasons apart from no reason at all', () => {
    expect(householdOnly([hogar])).toBe(true);
    expect(householdOnly([])).toBe(false);
    expect(householdOnly([hogar, nino])).toBe(false);
    expect(hasChildSignal([hogar, nino])).toBe(true);
    expect(hasChildSignal([])).toBe(false);
  });
});

/** A model that raises the log-odds through each feature by `raises(name)`, and by nothing else. */
const modelRaising = (raises: (name: string) => number) => fixedModel((i) => 0.9 - i * 0.1, raises);

const concernsOf = (name: string): string | undefined =>
  FEATURES.find((f) => f.name === name)?.reason?.concerns;

function fakes() {
  const written: ScoreUpdate[] = [];
  let last: ScoringRun | undefined;
  // A 12-year-old without enrolment (a child-level school signal) and a 3-year-old.
  const curated = registryOnly(allSourceRuns(), [
    rshRecord('n-escolar', {
      householdSize: 6,
      incomePerCapita: 50_000,
      headSchoolingYears: 8,
      singleParent: true,
    }),
    rshRecord('n-pequeno', {
      birthDate: '2023-01-01',
      householdSize: 6,
      incomePerCapita: 50_000,
      headSchoolingYears: 8,
      singleParent: true,
    }),
  ]);
  const roster = {
    writeScores: async (_run: unknown, updates: readonly ScoreUpdate[]) => {
      written.push(...updates);
    },
    markHead: async () => {},
    completeRun: async (run: ScoringRun) => {
      last = run;
      return true;
    },
    removeStale: async () => ({ removed: 0, unscored: 0 }),
    lastInputs: async () => last?.inputs,
  } as unknown as RosterStore;
  return { curated, roster, written, last: () => last };
}

describe('scoreComuna under the head rule', () => {
  it('marks a child ranked for its household alone, keeping its score and reasons', async () => {
    const f = fakes();
    const model = modelRaising((name) => (concernsOf(name) === 'hogar' ? 0.3 : 0));
    await scoreComuna({ ...f, model, prioritisation: ON }, '2026-10', '13101');
    expect(f.written).toHaveLength(2);
    for (const u of f.written) {
      expect(u.reasons.length).toBeGreaterThan(0);
      expect(u.reasons.every((r) => r.concerns === 'hogar')).toBe(true);
      expect(u.demotion).toEqual({ rule: 'child-signal', text: HOUSEHOLD_ONLY_TEXT });
      expect(u.probability).toBeGreaterThan(0);
    }
  });

  it('leaves a child with a child-level reason in the head, and marks nobody when off', async () => {
    const model = modelRaising((name) => (concernsOf(name) === 'niño' ? 0.5 : 0.3));
    const on = fakes();
    await scoreComuna({ ...on, model, prioritisation: ON }, '2026-10', '13101');
    const schoolChild = on.written.find((u) => u.childId === 'n-escolar');
    expect(schoolChild?.reasons.some((r) => r.concerns === 'niño')).toBe(true);
    expect(schoolChild?.demotion).toBeUndefined();
    const householdModel = modelRaising((name) => (concernsOf(name) === 'hogar' ? 0.3 : 0));
    const off = fakes();
    await scoreComuna({ ...off, model: householdModel, prioritisation: OFF }, '2026-10', '13101');
    expect(off.written.map((u) => u.demotion)).toEqual([undefined, undefined]);
  });

  it('puts the setting among the run inputs, so that changing it rescores', async () => {
    const f = fakes();
    const model = modelRaising((name) => (concernsOf(name) === 'hogar' ? 0.3 : 0));
    expect(await scoreComuna({ ...f, model, prioritisation: ON }, '2026-10', '13101')).toMatchObject({
      status: 'scored',
    });
    expect(f.last()?.inputs).toMatch(/\|child-signal-on\|/);
    expect(await scoreComuna({ ...f, model, prioritisation: ON }, '2026-10', '13101')).toMatchObject({
      status: 'unchanged',
    });
    expect(await scoreComuna({ ...f, model, prioritisation: OFF }, '2026-10', '13101')).toMatchObject({
      status: 'scored',
    });
    expect(f.last()?.inputs).toMatch(/\|child-signal-off\|/);
    expect(f.written.slice(2).map((u) => u.demotion)).toEqual([undefined, undefined]);
  });
});

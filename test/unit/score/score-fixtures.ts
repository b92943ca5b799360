/**
 * What the scoring unit tests share: a registry record with plain defaults, a model runner that
 * answers with given probabilities and contributions, and a curated reader over one comuna's
 * registry records with every other source empty.
 */

import type { CuratedRecords } from '../../../functions/score/domain/curated-records';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../functions/score/domain/features';
import type { ModelRunner } from '../../../functions/score/domain/model-info';
import type { CuratedReader } from '../../../functions/score/domain/score-comuna';
import type { RshRecord } from '../../../functions/shared/domain/curated-records';

/** A child of comuna 13101 in the registry's 40 % bracket, born 2014, surveyed 2026-01-01. */
export const rshRecord = (childId: string, over: Partial<RshRecord> = {}): RshRecord => ({
  childId,
  comuna: '13101',
  birthDate: '2014-01-01',
  sex: 'F',
  householdId: `h-${childId}`,
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
  ...over,
});

/**
 * A model `m-1` over the code's feature list: row i of a batch of `rows` gets `probability(i, rows)`
 * and every feature's contribution `contribution(name)`.
 */
export function fixedModel(
  probability: (row: number, rows: number) => number,
  contribution: (feature: string) => number,
): ModelRunner {
  return {
    info: {
      version: 'm-1',
      features: [...FEATURE_NAMES],
      ventileCutPoints: Array.from({ length: 19 }, (_, i) => (i + 1) / 20),
      trainingDataSha256: 'a'.repeat(64),
      weightsSha256: 'b'.repeat(64),
      metrics: {},
      trainedOn: 'test',
    },
    async run(_features, rows) {
      const p = Float32Array.from({ length: rows }, (_, i) => probability(i, rows));
      const contributions = new Float32Array(rows * FEATURE_COUNT);
      for (let r = 0; r < rows; r++)
        FEATURE_NAMES.forEach((name, j) => {
          contributions[r * FEATURE_COUNT + j] = contribution(name);
        });
      return { probability: p, contributions };
    },
  };
}

/** The ingest run of every source the model reads, as a comuna ready to score has them. */
export const allSourceRuns = (): Record<string, string | undefined> => ({
  rsh: 'r1',
  educacion: 'e1',
  salud: 's1',
  policia: 'x1',
  proteccion: 'p1',
  registro_civil: 'c1',
  privacion_libertad: 'd1',
});

/** A reader of `rsh` as the comuna's registry, every other source empty; `read` sees each run asked for. */
export function registryOnly(
  runs: Record<string, string | undefined>,
  rsh: readonly RshRecord[],
  read: (source: string) => void = () => {},
): CuratedReader {
  return {
    currentRun: async (_cut, source) => {
      read(source);
      return runs[source];
    },
    records: async () => registryRecords(rsh),
  };
}

/** A comuna's curated records with `rsh` as its registry and every other source empty. */
export const registryRecords = (rsh: readonly RshRecord[]): CuratedRecords => ({
  rsh: [...rsh],
  educacion: [],
  salud: [],
  policia: [],
  proteccion: [],
  registro_civil: [],
  privacion_libertad: [],
});

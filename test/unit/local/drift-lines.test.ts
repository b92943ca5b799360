/** The local start's drift lines: the latest flagged report of each comuna, none for a stable one. */
import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../functions/score/domain/drift';
import { PILOT_COMUNAS } from '../../../functions/shared/domain/comunas';
import { driftKeys } from '../../../functions/shared/domain/curated';
import { driftLines } from '../../../local/drift-lines';
import { MemoryStore } from '../ingest/memory-ports';

const report = (
  comuna: string,
  cut: string,
  flagged: string[],
  level: 'estable' | 'vigilar' | 'actuar',
): DriftReport => ({
  comuna,
  cut,
  previousCut: '2026-09',
  modelVersion: 'logistic-1-aaaaaaaa',
  previousModelVersion: 'logistic-1-aaaaaaaa',
  children: 100,
  previousChildren: 100,
  thresholds: { watch: 0.1, act: 0.25 },
  score: { psi: level === 'estable' ? 0.01 : 0.3, level },
  features: [],
  flagged,
  message: `mensaje ${comuna} ${cut}`,
});

describe('driftLines', () => {
  it('names each comuna whose latest cut drifted, with the report message', async () => {
    const store = new MemoryStore();
    // Santiago drifted in 2026-10 but not in its latest cut; Concepción and Iquique drifted in theirs.
    await store.putJson(driftKeys.report('13101', '2026-10'), report('13101', '2026-10', ['edad'], 'actuar'));
    await store.putJson(driftKeys.report('13101', '2026-11'), report('13101', '2026-11', [], 'estable'));
    await store.putJson(
      driftKeys.report('08101', '2026-11'),
      report('08101', '2026-11', ['inasistencia_3m'], 'estable'),
    );
    await store.putJson(driftKeys.report('01101', '2026-11'), report('01101', '2026-11', [], 'vigilar'));
    expect(await driftLines(store, PILOT_COMUNAS)).toEqual([
      'deriva: Iquique (01101), corte 2026-11: mensaje 01101 2026-11',
      'deriva: Concepción (08101), corte 2026-11: mensaje 08101 2026-11',
    ]);
  });
});

/**
 * Metrics of the deployed and the shadow versions on the latest cohort with known outcomes, when
 * the system holds one: a cut at least 12 months before the scored cut with every model source
 * ingested, and a later cut of the protection source that covers the 12 months after it. The
 * outcome of a child of that cohort is an entry into a protection program dated within those 12
 * months, as the later protection extract records it. Without such a cohort no figure is given,
 * and the comparison says why.
 */
import type { OutcomeComparison } from '../../models/domain/shadow-report';
import { addMonths, cutKnowledgeDate } from '../../shared/domain/dates';
import { capacityFor } from '../../shared/domain/oln-capacity';
import type { CuratedRecords } from './curated-records';
import { MODEL_SOURCES } from './curated-records';
import { featureBatches } from './feature-batches';
import { childrenAsOf } from './indicators';
import type { ModelRunner } from './model-info';
import type { ScoredChild } from './shadow';
import { cohortMetrics } from './shadow';

/** Months after the cohort's cut within which a protection entry is its outcome. */
export const OUTCOME_HORIZON_MONTHS = 12;
/** How far back the cohort is looked for. */
export const MAX_COHORT_AGE_MONTHS = 36;

/** What the search reads of the curated data (scoring's `CuratedReader`). */
export interface CohortReader {
  currentRun(cut: string, source: string): Promise<string | undefined>;
  records(cut: string, comuna: string): Promise<CuratedRecords>;
}

const monthOf = (cut: string, months: number): string => addMonths(`${cut}-01`, months).slice(0, 7);

/** The newest cohort cut with known outcomes before `cut`, and the protection cut that holds them. */
export async function findOutcomeCohort(
  curated: CohortReader,
  cut: string,
): Promise<{ cohortCut: string; outcomeCut: string } | undefined> {
  for (let back = OUTCOME_HORIZON_MONTHS; back <= MAX_COHORT_AGE_MONTHS; back++) {
    const cohortCut = monthOf(cut, -back);
    let complete = true;
    for (const source of MODEL_SOURCES) {
      if (!(await curated.currentRun(cohortCut, source))) {
        complete = false;
        break;
      }
    }
    if (!complete) continue;
    for (let ahead = back; ahead >= OUTCOME_HORIZON_MONTHS; ahead--) {
      const outcomeCut = monthOf(cohortCut, ahead);
      if (await curated.currentRun(outcomeCut, 'proteccion')) return { cohortCut, outcomeCut };
    }
  }
  return undefined;
}

const NONE = (message: string): OutcomeComparison => ({
  cohortCut: null,
  outcomeCut: null,
  children: null,
  withOutcome: null,
  deployed: null,
  shadow: null,
  message,
});

/** Both versions' AUC and precision and recall at capacity on the cohort, or why there are none. */
export async function compareOnOutcomes(
  curated: CohortReader,
  deployed: ModelRunner,
  shadow: ModelRunner,
  cut: string,
  comuna: string,
): Promise<OutcomeComparison> {
  const found = await findOutcomeCohort(curated, cut);
  if (!found) {
    return NONE(
      `El sistema no tiene una cohorte con resultados conocidos: haría falta un corte de entre ${OUTCOME_HORIZON_MONTHS} y ${MAX_COHORT_AGE_MONTHS} meses antes de ${cut} con todas sus fuentes ingeridas y un corte posterior de protección que cubra sus ${OUTCOME_HORIZON_MONTHS} meses siguientes. No se calculan métricas sobre resultados; compare las métricas de la ficha de cada modelo.`,
    );
  }
  const asOf = cutKnowledgeDate(found.cohortCut) as string;
  const horizon = addMonths(asOf, OUTCOME_HORIZON_MONTHS);
  const cohort = [...childrenAsOf(await curated.records(found.cohortCut, comuna), asOf).children.entries()];
  const later = await curated.records(found.outcomeCut, comuna);
  const outcome = new Set(
    later.proteccion.filter((p) => p.entryDate > asOf && p.entryDate <= horizon).map((p) => p.childId),
  );
  const dep: ScoredChild[] = [];
  const sha: ScoredChild[] = [];
  for (const batch of featureBatches(cohort, asOf, 2048)) {
    if (batch.ids.length === 0) continue;
    const a = await deployed.run(batch.input, batch.ids.length);
    const b = await shadow.run(batch.input, batch.ids.length);
    batch.ids.forEach((childId, i) => {
      dep.push({ childId, probability: a.probability[i] as number, ventile: 0, reasons: [] });
      sha.push({ childId, probability: b.probability[i] as number, ventile: 0, reasons: [] });
    });
  }
  const capacity = capacityFor(comuna, dep.length);
  const withOutcome = dep.filter((c) => outcome.has(c.childId)).length;
  return {
    cohortCut: found.cohortCut,
    outcomeCut: found.outcomeCut,
    children: dep.length,
    withOutcome,
    deployed: cohortMetrics(dep, outcome, capacity),
    shadow: cohortMetrics(sha, outcome, capacity),
    message: `Cohorte del corte ${found.cohortCut} (${dep.length} niños), con sus ingresos a protección de los ${OUTCOME_HORIZON_MONTHS} meses siguientes según el corte ${found.outcomeCut} (${withOutcome} con ingreso).`,
  };
}

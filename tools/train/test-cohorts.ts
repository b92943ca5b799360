/**
 * Evaluation at the rule production uses — each comuna's roster cut at its own OLN capacity — on
 * several independent test cohorts: each cohort's figures with bootstrap intervals, pooled figures,
 * and precision at capacity per comuna over the cohorts pooled. A cohort is one roster: its comunas'
 * heads are selected within it, never across cohorts.
 */
import { capacityFor, capacityShare } from '../../functions/shared/domain/oln-capacity';
import { bootstrapHeadline, calibrationFit } from './bootstrap';
import type { ComunaPrecision, PooledEvaluation, Scores, TestCohortEvaluation } from './card-performance';
import type { Dataset } from './dataset';
import type { CapacityRule } from './evaluation';
import {
  calibration,
  comunaCapacities,
  MIN_GROUP_REPORT,
  prAuc,
  rowsByComuna,
  selectAtCapacity,
  selectionScores,
} from './evaluation';
import { auc, wilsonInterval } from './metrics';

/** The headline scores of `probabilities` on a set when `selected` are the children taken in. */
export function scoresAt(probabilities: Float64Array, set: Dataset, selected: Uint8Array): Scores {
  const at = selectionScores(selected, set.y);
  return {
    auc: auc(probabilities, set.y),
    prAuc: prAuc(probabilities, set.y),
    precisionAtCapacity: at.precision,
    recallAtCapacity: at.recall,
    ece: calibration(probabilities, set.y).ece,
  };
}

/**
 * The headline scores of one roster (one cohort) at each comuna's capacity; rows `demoted` by the
 * head rule rank after the others, as on the roster.
 */
export function scoresAtCapacity(
  probabilities: Float64Array,
  set: Dataset,
  demoted?: ArrayLike<boolean>,
): Scores {
  return scoresAt(probabilities, set, selectAtCapacity(probabilities, set.comunas, capacityFor, demoted));
}

/**
 * One test cohort: its figures for the model and the oracle at each comuna's capacity, and their
 * 95% intervals by a bootstrap stratified by comuna, seeded with `bootstrapSeed`.
 */
export function evaluateTestCohort(
  cohort: { readonly cut: string; readonly seed: number },
  set: Dataset,
  probabilities: Float64Array,
  bootstrapSeed: number,
  resamples: number,
  demoted?: ArrayLike<boolean>,
): TestCohortEvaluation {
  return {
    cut: cohort.cut,
    seed: cohort.seed,
    rows: set.rows,
    baseRate: set.y.reduce((s, v) => s + v, 0) / set.rows,
    model: scoresAtCapacity(probabilities, set, demoted),
    oracle: scoresAtCapacity(set.oracle, set),
    calibrationFit: calibrationFit(probabilities, set.y),
    intervals: bootstrapHeadline(
      probabilities,
      set.oracle,
      set.y,
      set.comunas,
      bootstrapSeed,
      resamples,
      capacityFor,
      demoted,
    ),
    capacities: comunaCapacities(set.comunas),
  };
}

/**
 * The test cohorts pooled, each still its own roster: the bootstrap is stratified by cohort and
 * comuna (a stratum is one comuna of one cohort, with that comuna's capacity at its size there), so
 * every resample selects each cohort's comuna heads as production would, for the model and the
 * oracle on the same children.
 */
export function evaluatePooled(
  rosters: readonly {
    readonly probabilities: ArrayLike<number>;
    readonly set: Dataset;
    /** Rows the head rule ranks after the model's head. */
    readonly demoted?: ArrayLike<boolean>;
  }[],
  bootstrapSeed: number,
  resamples: number,
  capacity: CapacityRule = capacityFor,
): PooledEvaluation {
  const rows = rosters.reduce((s, r) => s + r.set.rows, 0);
  const model = new Float64Array(rows);
  const oracle = new Float64Array(rows);
  const labels = new Uint8Array(rows);
  const strata: string[] = [];
  const demoted: boolean[] = [];
  let at = 0;
  let selected = 0;
  rosters.forEach(({ probabilities, set, demoted: own }, r) => {
    for (let i = 0; i < set.rows; i++) {
      model[at + i] = probabilities[i] as number;
      oracle[at + i] = set.oracle[i] as number;
      labels[at + i] = set.y[i] as number;
      strata.push(`${r}:${set.comunas[i]}`);
      demoted.push(own?.[i] ?? false);
    }
    selected += selectionScores(selectAtCapacity(probabilities, set.comunas, capacity, own), set.y).selected;
    at += set.rows;
  });
  const comunaOf = (stratum: string): string => stratum.slice(stratum.indexOf(':') + 1);
  return {
    rows,
    selected,
    calibrationFit: calibrationFit(model, labels),
    intervals: bootstrapHeadline(
      model,
      oracle,
      labels,
      strata,
      bootstrapSeed,
      resamples,
      (stratum, n) => capacity(comunaOf(stratum), n),
      demoted,
    ),
  };
}

/**
 * Precision at capacity per comuna over several rosters pooled: the children each roster's comuna
 * head takes, model and oracle alike, with Wilson intervals. A comuna with fewer than
 * `MIN_GROUP_REPORT` children over the rosters is left out (returned in `suppressed`); the rule
 * that sets each comuna's capacity is `capacity`.
 */
export function comunaPrecision(
  rosters: readonly {
    readonly model: ArrayLike<number>;
    readonly set: Dataset;
    readonly demoted?: ArrayLike<boolean>;
  }[],
  capacity: CapacityRule,
  share: (comuna: string) => number = capacityShare,
): { comunas: ComunaPrecision[]; suppressed: { comuna: string; children: number }[] } {
  const byComuna = new Map<
    string,
    { children: number; capacities: number[]; selected: number; hits: number; oracleHits: number }
  >();
  rosters.forEach(({ model, set, demoted }, r) => {
    const modelSelected = selectAtCapacity(model, set.comunas, capacity, demoted);
    const oracleSelected = selectAtCapacity(set.oracle, set.comunas, capacity);
    for (const [comuna, rows] of rowsByComuna(set.comunas)) {
      const c = byComuna.get(comuna) ?? {
        children: 0,
        capacities: new Array<number>(rosters.length).fill(0),
        selected: 0,
        hits: 0,
        oracleHits: 0,
      };
      c.children += rows.length;
      c.capacities[r] = capacity(comuna, rows.length);
      for (const i of rows) {
        if (modelSelected[i]) {
          c.selected++;
          if (set.y[i] === 1) c.hits++;
        }
        if (oracleSelected[i] && set.y[i] === 1) c.oracleHits++;
      }
      byComuna.set(comuna, c);
    }
  });
  const comunas: ComunaPrecision[] = [];
  const suppressed: { comuna: string; children: number }[] = [];
  for (const [comuna, c] of byComuna) {
    if (c.children < MIN_GROUP_REPORT) {
      suppressed.push({ comuna, children: c.children });
      continue;
    }
    const interval = wilsonInterval(c.hits, c.selected);
    const oracleInterval = wilsonInterval(c.oracleHits, c.selected);
    comunas.push({
      comuna,
      share: share(comuna),
      children: c.children,
      capacities: c.capacities,
      selected: c.selected,
      hits: c.hits,
      oracleHits: c.oracleHits,
      ...(interval ? { interval } : {}),
      ...(oracleInterval ? { oracleInterval } : {}),
    });
  }
  const order = (a: { comuna: string; children: number }, b: { comuna: string; children: number }): number =>
    b.children - a.children || a.comuna.localeCompare(b.comuna);
  return { comunas: comunas.sort(order), suppressed: suppressed.sort(order) };
}

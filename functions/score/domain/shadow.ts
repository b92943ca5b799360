/**
 * Shadow scoring's comparison: one comuna's children scored by the deployed version and by the
 * candidate, compared the way the roster would change. The selection is the head of each model's
 * ranking at the comuna's OLN capacity (`capacityFor`), the rule production uses. Groups are those
 * the curated registry carries (sex, age band, indigenous people, migrant, zone); a rate over fewer
 * than 5 children is not reported. Plain computation: no storage.
 */
import type {
  CohortMetrics,
  OutcomeComparison,
  ShadowGroupRate,
  ShadowReport,
} from '../../models/domain/shadow-report';
import type { RshRecord } from '../../shared/domain/curated-records';
import type { IsoDate } from '../../shared/domain/dates';
import { ageInYears } from '../../shared/domain/dates';
import { capacityFor } from '../../shared/domain/oln-capacity';
import { distributionOf, levelOf, psi, sharesIn } from './drift';

/** One child as a model scored it. */
export interface ScoredChild {
  readonly childId: string;
  readonly probability: number;
  readonly ventile: number;
  /** Features of the reasons shown, largest first. */
  readonly reasons: readonly string[];
  /** True when the head rule ranks the child after the model's head (`head-rule.ts`). */
  readonly demoted?: boolean;
}

/** A child's group memberships, from its registry record at the cut. */
export type ChildGroups = Readonly<Record<string, string>>;

/** Fewer children than this in a group's selection rate and the rate is not reported. */
export const MIN_RATE_CHILDREN = 5;

/** The groups of the bias audit that the curated registry carries for a child. */
export function groupsOf(rsh: RshRecord, asOf: IsoDate): ChildGroups {
  const age = ageInYears(rsh.birthDate, asOf);
  return {
    sexo: rsh.sex,
    tramo_edad: age <= 5 ? '0-5' : age <= 12 ? '6-12' : '13-17',
    pueblo_originario: rsh.indigenous ? 'sí' : 'no',
    migrante: rsh.migrant ? 'sí' : 'no',
    zona: rsh.rural === undefined ? 'sin dato' : rsh.rural ? 'rural' : 'urbana',
  };
}

/**
 * The ids of the first `capacity` children in roster order: the model's head before the children
 * the head rule ranks after it, each by highest probability (ties by id, so the selection is
 * deterministic).
 */
export function selectionAt(children: readonly ScoredChild[], capacity: number): Set<string> {
  const ranked = [...children].sort(
    (a, b) =>
      Number(a.demoted ?? false) - Number(b.demoted ?? false) ||
      b.probability - a.probability ||
      (a.childId < b.childId ? -1 : a.childId > b.childId ? 1 : 0),
  );
  return new Set(ranked.slice(0, capacity).map((c) => c.childId));
}

export interface ShadowInput {
  readonly comuna: string;
  readonly cut: string;
  readonly generatedAt: string;
  readonly deployed: { readonly version: string; readonly metrics: Readonly<Record<string, number>> };
  readonly shadow: { readonly version: string; readonly metrics: Readonly<Record<string, number>> };
  /** The same children, in the same order, as each model scored them. */
  readonly deployedScores: readonly ScoredChild[];
  readonly shadowScores: readonly ScoredChild[];
  readonly groups: ReadonlyMap<string, ChildGroups>;
  readonly outcomes: OutcomeComparison;
}

const round = (x: number, digits = 4): number => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: readonly ScoredChild[]): number | null =>
  xs.length === 0 ? null : round(xs.reduce((s, c) => s + c.probability, 0) / xs.length, 6);

/** The comparison of the candidate with the deployed version in one comuna and cut. */
export function shadowReport(input: ShadowInput): ShadowReport {
  const { deployedScores: dep, shadowScores: sha } = input;
  if (dep.length !== sha.length || dep.some((c, i) => c.childId !== sha[i]?.childId)) {
    throw new RangeError('shadow comparison needs the same children, in the same order, for both models');
  }
  const capacity = capacityFor(input.comuna, dep.length);
  const selDep = selectionAt(dep, capacity);
  const selSha = selectionAt(sha, capacity);
  let both = 0;
  for (const id of selDep) if (selSha.has(id)) both++;

  const shifts = new Map<number, number>();
  let absolute = 0;
  dep.forEach((c, i) => {
    const shift = (sha[i] as ScoredChild).ventile - c.ventile;
    absolute += Math.abs(shift);
    shifts.set(shift, (shifts.get(shift) ?? 0) + 1);
  });
  const byShift = [...shifts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([shift, children]) => ({ shift, children }));
  const count = (f: (s: number) => boolean): number =>
    byShift.filter((s) => f(s.shift)).reduce((n, s) => n + s.children, 0);

  const baseline = distributionOf(dep.map((c) => c.probability));
  const scorePsi =
    dep.length === 0
      ? 0
      : psi(
          baseline.shares,
          sharesIn(
            baseline.bins,
            sha.map((c) => c.probability),
          ),
        );

  const reasonCounts = new Map<string, { deployed: number; shadow: number }>();
  const tally = (children: readonly ScoredChild[], selected: Set<string>, key: 'deployed' | 'shadow') => {
    for (const c of children) {
      if (!selected.has(c.childId)) continue;
      for (const feature of new Set(c.reasons)) {
        const entry = reasonCounts.get(feature) ?? { deployed: 0, shadow: 0 };
        entry[key]++;
        reasonCounts.set(feature, entry);
      }
    }
  };
  tally(dep, selDep, 'deployed');
  tally(sha, selSha, 'shadow');
  let sameFirst = 0;
  let sameSet = 0;
  dep.forEach((c, i) => {
    if (!selDep.has(c.childId) || !selSha.has(c.childId)) return;
    const s = sha[i] as ScoredChild;
    if (c.reasons[0] === s.reasons[0]) sameFirst++;
    const a = [...new Set(c.reasons)].sort().join('|');
    const b = [...new Set(s.reasons)].sort().join('|');
    if (a === b) sameSet++;
  });

  const groups = groupRates(dep, selDep, selSha, input.groups);
  const level = levelOf(scorePsi);
  const share = capacity === 0 ? null : round(both / capacity);
  return {
    comuna: input.comuna,
    cut: input.cut,
    deployedVersion: input.deployed.version,
    shadowVersion: input.shadow.version,
    generatedAt: input.generatedAt,
    children: dep.length,
    capacity,
    overlap: { both, onlyDeployed: selDep.size - both, onlyShadow: selSha.size - both, share },
    ventileShifts: {
      same: count((s) => s === 0),
      up: count((s) => s > 0),
      down: count((s) => s < 0),
      meanAbsoluteShift: dep.length === 0 ? 0 : round(absolute / dep.length),
      byShift,
    },
    score: { psi: round(scorePsi), level, deployedMean: mean(dep), shadowMean: mean(sha) },
    reasons: {
      comparedChildren: both,
      sameFirstReason: sameFirst,
      sameReasons: sameSet,
      byFeature: [...reasonCounts.entries()]
        .sort((a, b) => b[1].deployed + b[1].shadow - (a[1].deployed + a[1].shadow) || (a[0] < b[0] ? -1 : 1))
        .map(([feature, n]) => ({ feature, ...n })),
    },
    groups,
    cardMetrics: { deployed: { ...input.deployed.metrics }, shadow: { ...input.shadow.metrics } },
    outcomes: input.outcomes,
    message: messageOf(input, capacity, both, share, scorePsi, level),
  };
}

function groupRates(
  children: readonly ScoredChild[],
  selDep: Set<string>,
  selSha: Set<string>,
  groups: ReadonlyMap<string, ChildGroups>,
): ShadowGroupRate[] {
  const cells = new Map<string, { attribute: string; group: string; n: number; dep: number; sha: number }>();
  for (const c of children) {
    for (const [attribute, group] of Object.entries(groups.get(c.childId) ?? {})) {
      const key = `${attribute}\u0000${group}`;
      const cell = cells.get(key) ?? { attribute, group, n: 0, dep: 0, sha: 0 };
      cell.n++;
      if (selDep.has(c.childId)) cell.dep++;
      if (selSha.has(c.childId)) cell.sha++;
      cells.set(key, cell);
    }
  }
  return [...cells.values()]
    .sort((a, b) =>
      a.attribute === b.attribute ? (a.group < b.group ? -1 : 1) : a.attribute < b.attribute ? -1 : 1,
    )
    .map((c) => ({
      attribute: c.attribute,
      group: c.group,
      children: c.n,
      deployedSelected: c.dep,
      shadowSelected: c.sha,
      deployedRate: c.n < MIN_RATE_CHILDREN ? null : round(c.dep / c.n),
      shadowRate: c.n < MIN_RATE_CHILDREN ? null : round(c.sha / c.n),
    }));
}

function messageOf(
  input: ShadowInput,
  capacity: number,
  both: number,
  share: number | null,
  scorePsi: number,
  level: string,
): string {
  if (capacity === 0) {
    return `La comuna no tiene niños puntuados en el corte ${input.cut}: no hay selección que comparar.`;
  }
  return (
    `A la capacidad de la OLN (${capacity} niños), la versión en sombra ${input.shadow.version} selecciona ` +
    `${both} de los ${capacity} que selecciona la desplegada ${input.deployed.version} ` +
    `(${Math.round((share ?? 0) * 100)} %). Distribución de puntajes: PSI ${round(scorePsi)} (${level}).`
  );
}

/** AUC (Mann–Whitney, ties counted half) and precision and recall at capacity, against known outcomes. */
export function cohortMetrics(
  scores: readonly ScoredChild[],
  outcome: ReadonlySet<string>,
  capacity: number,
): CohortMetrics {
  const positives = scores.filter((c) => outcome.has(c.childId)).length;
  const negatives = scores.length - positives;
  let auc: number | null = null;
  if (positives > 0 && negatives > 0) {
    const ranked = [...scores].sort((a, b) => a.probability - b.probability);
    let rankSum = 0;
    for (let i = 0; i < ranked.length; ) {
      let j = i;
      while (
        j < ranked.length &&
        (ranked[j] as ScoredChild).probability === (ranked[i] as ScoredChild).probability
      )
        j++;
      const averageRank = (i + 1 + j) / 2;
      for (let k = i; k < j; k++) if (outcome.has((ranked[k] as ScoredChild).childId)) rankSum += averageRank;
      i = j;
    }
    auc = round((rankSum - (positives * (positives + 1)) / 2) / (positives * negatives));
  }
  const selected = selectionAt(scores, capacity);
  let hits = 0;
  for (const id of selected) if (outcome.has(id)) hits++;
  return {
    auc,
    precisionAtCapacity: selected.size === 0 ? null : round(hits / selected.size),
    recallAtCapacity: positives === 0 ? null : round(hits / positives),
  };
}

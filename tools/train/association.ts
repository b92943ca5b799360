/**
 * "Risky by association": how much of the model's prioritisation rests on the household rather than
 * on the child, and what the head rule (`functions/shared/config/prioritisation.json`: at least one child-level
 * reason to be in the model's head) does to it. Measured on the test cohort among the children
 * selected at each comuna's own capacity, with the production reasons (`topReasons`) on each child's
 * own contributions and values, and the production rule (`demotionOf`).
 */
import { demotionOf, householdOnly } from '../../functions/roster/domain/head-rule';
import type { Reason } from '../../functions/roster/domain/roster';
import { FEATURE_COUNT, FEATURES } from '../../functions/score/domain/features';
import { topReasons } from '../../functions/score/domain/prioritise';
import { capacityFor } from '../../functions/shared/domain/oln-capacity';
import type { PrioritisationConfig } from '../../functions/shared/domain/prioritisation';
import type { Interval } from './bootstrap';
import { percentileInterval, seededRandom } from './bootstrap';
import type { AuditAttribute, Dataset } from './dataset';
import type { CapacityRule } from './evaluation';
import { MIN_GROUP_REPORT, selectAtCapacity } from './evaluation';
import type { RateInterval } from './metrics';
import { wilsonInterval } from './metrics';

/** Feature indexes whose reason concerns the household; context features (age) have no reason. */
const HOUSEHOLD = FEATURES.map((f) => f.reason?.concerns === 'hogar');
const TOLD = FEATURES.map((f) => f.reason !== undefined);

/**
 * The share of a child's score that comes from its household: the household features' positive
 * contributions over the positive contributions of every feature that can be a reason (context
 * such as age excluded), in calibrated log-odds. NaN when no such feature raises the score.
 */
export function householdShare(contributions: ArrayLike<number>): number {
  let household = 0;
  let all = 0;
  for (let j = 0; j < FEATURES.length; j++) {
    const c = contributions[j] ?? 0;
    if (!TOLD[j] || !(c > 0)) continue;
    all += c;
    if (HOUSEHOLD[j]) household += c;
  }
  return all > 0 ? household / all : Number.NaN;
}

/**
 * The roster's selection at each comuna's own capacity (`selectAtCapacity` in `evaluation.ts`, per
 * cohort when the set pools several): 1 for each selected row. Rows `demoted` by the head rule rank
 * after every other row of their comuna.
 */
export type Selection = (scores: ArrayLike<number>, demoted?: ArrayLike<boolean>) => ArrayLike<number>;

/** The selection of a single cohort at each comuna's capacity under `capacity`. */
export function cohortSelection(set: Dataset, capacity: CapacityRule = capacityFor): Selection {
  return (scores, demoted) => selectAtCapacity(scores, set.comunas, capacity, demoted);
}

/** The `q` quantile (0–1) of `values`, by the nearest rank; NaNs left out. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const v = Float64Array.from(values as ArrayLike<number>)
    .filter((x) => Number.isFinite(x))
    .sort();
  if (v.length === 0) return Number.NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] as number;
}

export interface CandidateScores {
  readonly name: string;
  /** Calibrated probability of every row of the test set. */
  readonly probabilities: ArrayLike<number>;
  /** Each feature's contribution to the calibrated log-odds of `row`, written into `out`. */
  readonly contributions: (row: number, out: Float64Array) => void;
}

/** How much of one candidate's selection at capacity rests on the household. */
export interface CandidateAssociation {
  readonly name: string;
  readonly selected: number;
  /** `householdShare` over the selected children. */
  readonly share: { readonly mean: number; readonly median: number; readonly p90: number };
  readonly reasonsShown: number;
  readonly householdReasons: number;
  /** Selected children whose shown reasons are all about the household. */
  readonly householdOnly: number;
  /** Selected children with no reason shown at all. */
  readonly noReason: number;
  /** The most frequent first reasons of the selected children, most frequent first. */
  readonly headReasons: readonly {
    readonly feature: string;
    readonly concerns: string;
    readonly count: number;
  }[];
}

/** The production reasons of every row of `set` under one candidate. */
export function reasonsOfRows(set: Dataset, candidate: CandidateScores, cut: string): Reason[][] {
  const row = new Float64Array(FEATURE_COUNT);
  const out: Reason[][] = [];
  for (let r = 0; r < set.rows; r++) {
    row.fill(0);
    candidate.contributions(r, row);
    out.push(topReasons(row, set.x.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT), cut));
  }
  return out;
}

/** The association figures of one candidate's selection at each comuna's capacity. */
export function candidateAssociation(
  set: Dataset,
  candidate: CandidateScores,
  reasons: readonly (readonly Reason[])[],
  select: Selection = cohortSelection(set),
  headCount = 5,
): CandidateAssociation {
  const selected = select(candidate.probabilities);
  const row = new Float64Array(FEATURE_COUNT);
  const shares: number[] = [];
  const first = new Map<string, { feature: string; concerns: string; count: number }>();
  let shown = 0;
  let household = 0;
  let onlyHousehold = 0;
  let none = 0;
  for (let r = 0; r < set.rows; r++) {
    if (!selected[r]) continue;
    row.fill(0);
    candidate.contributions(r, row);
    shares.push(householdShare(row));
    const own = reasons[r] ?? [];
    shown += own.length;
    household += own.filter((x) => x.concerns === 'hogar').length;
    if (own.length === 0) none++;
    else if (householdOnly(own)) onlyHousehold++;
    const top = own[0];
    if (top) {
      const seen = first.get(top.feature) ?? { feature: top.feature, concerns: top.concerns, count: 0 };
      seen.count++;
      first.set(top.feature, seen);
    }
  }
  const finite = shares.filter((s) => Number.isFinite(s));
  return {
    name: candidate.name,
    selected: shares.length,
    share: {
      mean: finite.reduce((s, v) => s + v, 0) / finite.length,
      median: quantile(finite, 0.5),
      p90: quantile(finite, 0.9),
    },
    reasonsShown: shown,
    householdReasons: household,
    householdOnly: onlyHousehold,
    noReason: none,
    headReasons: [...first.values()]
      .sort((a, b) => b.count - a.count || a.feature.localeCompare(b.feature))
      .slice(0, headCount),
  };
}

/** One arm of the rule's measurement: the selection at capacity with the rule off or on. */
export interface RuleArm {
  readonly selected: number;
  readonly truePositives: number;
  readonly positives: number;
  readonly precision: number;
  readonly precisionInterval?: RateInterval;
  readonly recall: number;
  readonly recallInterval?: RateInterval;
  /** Selected children without a child-level reason (household reasons only, or none). */
  readonly withoutChildSignal: number;
}

export interface GroupSelection {
  readonly group: string;
  readonly count: number;
  readonly off: { readonly selected: number; readonly rate: number; readonly interval?: RateInterval };
  readonly on: { readonly selected: number; readonly rate: number; readonly interval?: RateInterval };
}

export interface RuleEffect {
  readonly off: RuleArm;
  readonly on: RuleArm;
  /** Precision on minus precision off, with its paired percentile bootstrap interval. */
  readonly precisionChange: number;
  readonly precisionChangeInterval: Interval;
  readonly resamples: number;
  /** One standard error of precision at capacity with the rule off: the tolerance for "barely moves". */
  readonly standardError: number;
  /** Children selected in both arms. */
  readonly overlap: number;
  readonly groups: readonly { readonly attribute: string; readonly groups: readonly GroupSelection[] }[];
  /** Groups under `MIN_GROUP_REPORT` children, per attribute. */
  readonly suppressed: readonly {
    readonly attribute: string;
    readonly group: string;
    readonly count: number;
  }[];
}

function arm(selected: ArrayLike<number>, y: ArrayLike<number>, demoted: readonly boolean[]): RuleArm {
  let sel = 0;
  let tp = 0;
  let pos = 0;
  let without = 0;
  for (let r = 0; r < selected.length; r++) {
    if (y[r] === 1) pos++;
    if (!selected[r]) continue;
    sel++;
    if (y[r] === 1) tp++;
    if (demoted[r]) without++;
  }
  const precisionInterval = wilsonInterval(tp, sel);
  const recallInterval = wilsonInterval(tp, pos);
  return {
    selected: sel,
    truePositives: tp,
    positives: pos,
    precision: sel > 0 ? tp / sel : Number.NaN,
    ...(precisionInterval ? { precisionInterval } : {}),
    recall: pos > 0 ? tp / pos : Number.NaN,
    ...(recallInterval ? { recallInterval } : {}),
    withoutChildSignal: without,
  };
}

/**
 * The rule's effect on the selected candidate at each comuna's capacity: precision and recall (Wilson
 * intervals), the paired bootstrap interval of the change in precision (the same resampled children
 * in both arms, selections held fixed), children without a child-level reason, and each audited
 * group's selection rate. The comuna attribute is left out: each comuna selects its own capacity in
 * both arms.
 */
export function ruleEffect(
  set: Dataset,
  probabilities: ArrayLike<number>,
  reasons: readonly (readonly Reason[])[],
  seed: number,
  resamples: number,
  select: Selection = cohortSelection(set),
): RuleEffect {
  const on: PrioritisationConfig = { requireChildSignal: true };
  const demoted = reasons.map((own) => demotionOf(own, on) !== undefined);
  const offMask = select(probabilities);
  const onMask = select(probabilities, demoted);
  const off = arm(offMask, set.y, demoted);
  const onArm = arm(onMask, set.y, demoted);
  const random = seededRandom(seed);
  const changes = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let selOff = 0;
    let tpOff = 0;
    let selOn = 0;
    let tpOn = 0;
    for (let i = 0; i < set.rows; i++) {
      const r = Math.floor(random() * set.rows);
      const hit = set.y[r] === 1 ? 1 : 0;
      if (offMask[r]) {
        selOff++;
        tpOff += hit;
      }
      if (onMask[r]) {
        selOn++;
        tpOn += hit;
      }
    }
    changes[b] = selOn > 0 && selOff > 0 ? tpOn / selOn - tpOff / selOff : Number.NaN;
  }
  const suppressed: { attribute: string; group: string; count: number }[] = [];
  const groups = (Object.keys(set.groups) as AuditAttribute[])
    .filter((a) => a !== 'comuna')
    .map((attribute) => {
      const stats = new Map<string, { n: number; off: number; on: number }>();
      set.groups[attribute].forEach((g, r) => {
        const s = stats.get(g) ?? { n: 0, off: 0, on: 0 };
        s.n++;
        if (offMask[r]) s.off++;
        if (onMask[r]) s.on++;
        stats.set(g, s);
      });
      const rows: GroupSelection[] = [];
      for (const [group, s] of stats) {
        if (s.n < MIN_GROUP_REPORT) {
          suppressed.push({ attribute, group, count: s.n });
          continue;
        }
        const side = (x: number) => {
          const interval = wilsonInterval(x, s.n);
          return { selected: x, rate: x / s.n, ...(interval ? { interval } : {}) };
        };
        rows.push({ group, count: s.n, off: side(s.off), on: side(s.on) });
      }
      rows.sort((a, b) => b.count - a.count || a.group.localeCompare(b.group));
      return { attribute, groups: rows };
    });
  let overlap = 0;
  for (let r = 0; r < set.rows; r++) if (offMask[r] && onMask[r]) overlap++;
  return {
    off,
    on: onArm,
    precisionChange: onArm.precision - off.precision,
    precisionChangeInterval: percentileInterval(changes),
    resamples,
    standardError: Math.sqrt((off.precision * (1 - off.precision)) / Math.max(1, off.selected)),
    overlap,
    groups,
    suppressed,
  };
}

/**
 * What the measurement supports: the rule on unless it costs more precision than one standard error
 * of precision at capacity (the tolerance the candidate selection also uses).
 */
export function supportedDefault(effect: RuleEffect): boolean {
  return -effect.precisionChange <= effect.standardError;
}

export interface AssociationReport {
  readonly cut: string;
  /** How many independent cohorts the set pools, each selected as its own roster. */
  readonly cohorts: number;
  readonly candidates: readonly CandidateAssociation[];
  /** The candidate the rule is measured on (the selected model). */
  readonly measuredOn: string;
  readonly effect: RuleEffect;
  /** The configured setting (`functions/shared/config/prioritisation.json`). */
  readonly configured: PrioritisationConfig;
}

/** Every figure of the section, for the candidates and the rule on the selected one. */
export function measureAssociation(options: {
  readonly set: Dataset;
  readonly cut: string;
  /** How many independent cohorts `set` pools; 1 unless given. */
  readonly cohorts?: number;
  readonly candidates: readonly CandidateScores[];
  readonly selected: string;
  readonly configured: PrioritisationConfig;
  readonly seed: number;
  readonly resamples: number;
  /** The selection at capacity; a single cohort's at the committed capacities unless given. */
  readonly select?: Selection;
}): AssociationReport {
  const { set, cut } = options;
  const select = options.select ?? cohortSelection(set);
  let effect: RuleEffect | undefined;
  const candidates = options.candidates.map((c) => {
    const reasons = reasonsOfRows(set, c, cut);
    if (c.name === options.selected)
      effect = ruleEffect(set, c.probabilities, reasons, options.seed, options.resamples, select);
    return candidateAssociation(set, c, reasons, select);
  });
  if (!effect) throw new Error(`the selected candidate ${options.selected} is not among those measured`);
  return {
    cut,
    cohorts: options.cohorts ?? 1,
    candidates,
    measuredOn: options.selected,
    effect,
    configured: options.configured,
  };
}

/**
 * Monitoring per cut: how far a comuna's model inputs and scores have moved since the previous cut
 * scored for it, as a population stability index (PSI) per feature and for the score. Each scored
 * cut leaves a profile (its bins and the share of children in each), so that the next cut is
 * compared against fixed bins without keeping any child's values: deciles of the previous cut's
 * values for a continuous feature and for the probability, its categories (0 and 1) for a flag.
 * Plain computation: no AWS, no storage.
 */

/** From this PSI a distribution is watched (`vigilar`): a moderate shift. */
export const PSI_WATCH = 0.1;
/** From this PSI a distribution calls for action (`actuar`): the model may no longer fit. */
export const PSI_ACT = 0.25;
/** The share given to an empty bin, so that its term of the PSI stays finite. */
export const PSI_EPSILON = 1e-4;

export type DriftLevel = 'estable' | 'vigilar' | 'actuar';

/** Fixed bins: a flag's categories, or the interior cut points of deciles (a value ≤ edge falls below it). */
export type Bins =
  | { readonly kind: 'categorias'; readonly categories: readonly number[] }
  | { readonly kind: 'deciles'; readonly edges: readonly number[] };

/** A distribution as the next cut compares against it: the bins and the share of children in each. */
export interface Distribution {
  readonly bins: Bins;
  readonly shares: readonly number[];
}

/** What a scored cut leaves for the next one to compare with. */
export interface CutProfile {
  readonly comuna: string;
  readonly cut: string;
  readonly modelVersion: string;
  readonly children: number;
  readonly features: Readonly<Record<string, Distribution>>;
  readonly score: Distribution;
}

export interface DriftItem {
  readonly psi: number;
  readonly level: DriftLevel;
}

export interface FeatureDrift extends DriftItem {
  readonly feature: string;
  readonly bins: Bins['kind'];
}

/** The drift of one comuna's cut against the previous cut scored for it. */
export interface DriftReport {
  readonly comuna: string;
  readonly cut: string;
  /** The cut compared against; null for the comuna's first scored cut. */
  readonly previousCut: string | null;
  readonly modelVersion: string;
  readonly previousModelVersion: string | null;
  readonly children: number;
  readonly previousChildren: number | null;
  readonly thresholds: { readonly watch: number; readonly act: number };
  /** Null when there is no previous cut: no baseline is invented. */
  readonly score: DriftItem | null;
  readonly features: readonly FeatureDrift[];
  /** Features whose PSI reaches the watch threshold, largest first. */
  readonly flagged: readonly string[];
  /** What the report says, in Spanish, for the people who read it. */
  readonly message: string;
}

/** The PSI of `actual` against `expected` (shares over the same bins): Σ (a − e) · ln(a / e). */
export function psi(expected: readonly number[], actual: readonly number[], epsilon = PSI_EPSILON): number {
  if (expected.length !== actual.length) {
    throw new RangeError(`PSI over ${expected.length} and ${actual.length} bins`);
  }
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i] as number, epsilon);
    const a = Math.max(actual[i] as number, epsilon);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** The level of a PSI against the documented thresholds. */
export function levelOf(value: number): DriftLevel {
  if (value >= PSI_ACT) return 'actuar';
  if (value >= PSI_WATCH) return 'vigilar';
  return 'estable';
}

/**
 * The bins a cut's values define for the next cut: the categories if every value is 0 or 1 (a
 * flag), otherwise the distinct interior deciles (ties merge bins rather than leave empty ones).
 */
export function binsOf(values: ArrayLike<number>): Bins {
  let flag = true;
  for (let i = 0; i < values.length && flag; i++) flag = values[i] === 0 || values[i] === 1;
  if (flag) return { kind: 'categorias', categories: [0, 1] };
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let d = 1; d < 10; d++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.ceil((d * sorted.length) / 10) - 1)] as number;
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  return { kind: 'deciles', edges };
}

/** The share of `values` in each bin (all zeros for no values). */
export function sharesIn(bins: Bins, values: ArrayLike<number>): number[] {
  const size = bins.kind === 'categorias' ? bins.categories.length + 1 : bins.edges.length + 1;
  const counts = new Array<number>(size).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (bins.kind === 'categorias') {
      // A value outside the categories has a bin of its own, last, rather than being dropped.
      const at = bins.categories.indexOf(v);
      const bin = at === -1 ? size - 1 : at;
      counts[bin] = (counts[bin] as number) + 1;
    } else {
      let at = 0;
      while (at < bins.edges.length && v > (bins.edges[at] as number)) at++;
      counts[at] = (counts[at] as number) + 1;
    }
  }
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length));
}

/** The distribution of `values` over the bins they define. */
export function distributionOf(values: ArrayLike<number>): Distribution {
  const bins = binsOf(values);
  return { bins, shares: sharesIn(bins, values) };
}

/** A cut's values: each feature's, by name, and the probabilities, one per scored child. */
export interface CutValues {
  readonly comuna: string;
  readonly cut: string;
  readonly modelVersion: string;
  readonly features: Readonly<Record<string, ArrayLike<number>>>;
  readonly probabilities: ArrayLike<number>;
}

/** The profile a cut leaves for the next one. */
export function profileOf(values: CutValues): CutProfile {
  const features: Record<string, Distribution> = {};
  for (const [name, v] of Object.entries(values.features)) features[name] = distributionOf(v);
  return {
    comuna: values.comuna,
    cut: values.cut,
    modelVersion: values.modelVersion,
    children: values.probabilities.length,
    features,
    score: distributionOf(values.probabilities),
  };
}

function driftAgainst(previous: Distribution, values: ArrayLike<number>): DriftItem {
  const value = psi(previous.shares, sharesIn(previous.bins, values));
  return { psi: Math.round(value * 1e4) / 1e4, level: levelOf(value) };
}

/**
 * The drift report of a cut against the previous profile of its comuna, if any. A feature the
 * previous cut did not have (a new model's) is left out rather than compared with nothing.
 */
export function driftReport(values: CutValues, previous: CutProfile | undefined): DriftReport {
  const base = {
    comuna: values.comuna,
    cut: values.cut,
    modelVersion: values.modelVersion,
    children: values.probabilities.length,
    thresholds: { watch: PSI_WATCH, act: PSI_ACT },
  };
  if (!previous) {
    return {
      ...base,
      previousCut: null,
      previousModelVersion: null,
      previousChildren: null,
      score: null,
      features: [],
      flagged: [],
      message: `Primer corte puntuado de la comuna (${values.cut}): no hay un corte anterior con el que comparar, así que no se calcula la deriva; este corte será la referencia del siguiente.`,
    };
  }
  const features: FeatureDrift[] = [];
  for (const [feature, v] of Object.entries(values.features)) {
    const before = previous.features[feature];
    if (!before) continue;
    features.push({ feature, bins: before.bins.kind, ...driftAgainst(before, v) });
  }
  const score = driftAgainst(previous.score, values.probabilities);
  const flagged = features
    .filter((f) => f.level !== 'estable')
    .sort((a, b) => b.psi - a.psi)
    .map((f) => f.feature);
  return {
    ...base,
    previousCut: previous.cut,
    previousModelVersion: previous.modelVersion,
    previousChildren: previous.children,
    score,
    features,
    flagged,
    message: messageOf(previous.cut, score, features),
  };
}

function messageOf(previousCut: string, score: DriftItem, features: readonly FeatureDrift[]): string {
  const act = features.filter((f) => f.level === 'actuar').map((f) => f.feature);
  const watch = features.filter((f) => f.level === 'vigilar').map((f) => f.feature);
  const parts = [`Comparado con el corte ${previousCut}: puntaje ${score.level} (PSI ${score.psi}).`];
  if (act.length > 0) parts.push(`Indicadores con cambio importante (PSI ≥ ${PSI_ACT}): ${act.join(', ')}.`);
  if (watch.length > 0) parts.push(`Indicadores a vigilar (PSI ≥ ${PSI_WATCH}): ${watch.join(', ')}.`);
  if (act.length === 0 && watch.length === 0) parts.push('Ningún indicador cambió de forma notable.');
  return parts.join(' ');
}

/**
 * Gradient-boosted decision trees for the logistic loss (the non-linear candidate): second-order
 * boosting on features binned at training-data quantiles, depth-wise trees with L2-regularised leaf
 * values, and early stopping on a validation cohort. Deterministic: splits are searched in feature
 * and bin order and only a strictly better gain replaces the best one.
 *
 * Every node keeps the value it would have as a leaf, so that a prediction decomposes exactly into
 * per-feature contributions (Saabas): walking from the root to the leaf, each split credits the
 * change in node value to its feature. The sum of the contributions plus the bias (the base score
 * and every root's value) is the log-odds.
 */

export interface TreeNode {
  /** Feature index of the split; -1 for a leaf. */
  readonly feature: number;
  /** Rows with `x[feature] <= threshold` go left. A float32 value taken from the data. */
  readonly threshold: number;
  readonly left: number;
  readonly right: number;
  /** Log-odds step this node would give as a leaf (learning rate included). */
  readonly value: number;
}

export interface TreeEnsemble {
  readonly width: number;
  readonly baseScore: number;
  readonly trees: readonly (readonly TreeNode[])[];
  readonly options: GbtOptions;
}

export interface GbtOptions {
  readonly maxDepth: number;
  readonly learningRate: number;
  readonly maxRounds: number;
  /** Stop when the validation log-loss has not improved for this many rounds. */
  readonly patience: number;
  readonly l2: number;
  readonly minChildHessian: number;
  readonly maxBins: number;
}

export const DEFAULT_GBT: GbtOptions = {
  maxDepth: 3,
  learningRate: 0.08,
  maxRounds: 400,
  patience: 30,
  l2: 1,
  minChildHessian: 20,
  maxBins: 32,
};

export interface Split {
  readonly x: Float32Array;
  readonly y: Uint8Array;
  readonly rows: number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Ascending split candidates per feature: every distinct value, or quantiles when there are many. */
function binEdges(
  x: Float32Array,
  rows: number,
  width: number,
  feature: number,
  maxBins: number,
): Float32Array {
  const column = new Float32Array(rows);
  for (let r = 0; r < rows; r++) column[r] = x[r * width + feature] as number;
  column.sort();
  const distinct: number[] = [];
  for (let i = 0; i < rows; i++)
    if (i === 0 || column[i] !== column[i - 1]) distinct.push(column[i] as number);
  if (distinct.length <= maxBins) return Float32Array.from(distinct);
  const edges: number[] = [];
  for (let q = 1; q <= maxBins; q++) {
    const v = column[Math.min(rows - 1, Math.ceil((q * rows) / maxBins) - 1)] as number;
    if (edges.length === 0 || v > (edges[edges.length - 1] as number)) edges.push(v);
  }
  return Float32Array.from(edges);
}

/** Index of the first edge >= v (the last bin takes anything above). */
function binOf(edges: Float32Array, v: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function predictLogit(model: TreeEnsemble, x: ArrayLike<number>, offset: number): number {
  let s = model.baseScore;
  for (const tree of model.trees) s += leafOf(tree, x, offset).value;
  return s;
}

function leafOf(tree: readonly TreeNode[], x: ArrayLike<number>, offset: number): TreeNode {
  let node = tree[0] as TreeNode;
  while (node.feature >= 0) {
    node = tree[(x[offset + node.feature] as number) <= node.threshold ? node.left : node.right] as TreeNode;
  }
  return node;
}

/** The bias of the Saabas decomposition: base score plus every tree's root value. */
export function ensembleBias(model: TreeEnsemble): number {
  let bias = model.baseScore;
  for (const tree of model.trees) bias += (tree[0] as TreeNode).value;
  return bias;
}

/** Adds each feature's contribution to the log-odds of one row into `out` (length `width`). */
export function contributions(
  model: TreeEnsemble,
  x: ArrayLike<number>,
  offset: number,
  out: Float64Array,
): void {
  for (const tree of model.trees) {
    let node = tree[0] as TreeNode;
    while (node.feature >= 0) {
      const next = tree[
        (x[offset + node.feature] as number) <= node.threshold ? node.left : node.right
      ] as TreeNode;
      out[node.feature] = (out[node.feature] as number) + next.value - node.value;
      node = next;
    }
  }
}

/**
 * For each leaf of each tree, the per-feature contributions along its path (summed when a feature
 * splits more than once): what the ONNX export stores as the leaf's target weights.
 */
export function leafContributions(tree: readonly TreeNode[]): Map<number, Map<number, number>> {
  const out = new Map<number, Map<number, number>>();
  const walk = (index: number, acc: Map<number, number>): void => {
    const node = tree[index] as TreeNode;
    if (node.feature < 0) {
      out.set(index, acc);
      return;
    }
    for (const child of [node.left, node.right]) {
      const next = new Map(acc);
      next.set(node.feature, (next.get(node.feature) ?? 0) + (tree[child] as TreeNode).value - node.value);
      walk(child, next);
    }
  };
  walk(0, new Map());
  return out;
}

export function fitGbt(train: Split, valid: Split, width: number, options = DEFAULT_GBT): TreeEnsemble {
  const n = train.rows;
  const edges = Array.from({ length: width }, (_, f) => binEdges(train.x, n, width, f, options.maxBins));
  const maxBins = Math.max(...edges.map((e) => e.length));
  // Column-major bin indices: one pass per feature per node reads contiguous memory.
  const bins = new Uint8Array(width * n);
  for (let f = 0; f < width; f++) {
    const e = edges[f] as Float32Array;
    for (let r = 0; r < n; r++) bins[f * n + r] = binOf(e, train.x[r * width + f] as number);
  }
  let positives = 0;
  for (let r = 0; r < n; r++) positives += train.y[r] as number;
  const mean = Math.min(1 - 1e-6, Math.max(1e-6, positives / n));
  const baseScore = Math.log(mean / (1 - mean));
  const score = new Float64Array(n).fill(baseScore);
  const validScore = new Float64Array(valid.rows).fill(baseScore);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const histG = new Float64Array(width * maxBins);
  const histH = new Float64Array(width * maxBins);
  const trees: TreeNode[][] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestRounds = 0;
  const { l2, learningRate, minChildHessian, maxDepth } = options;
  const leafValue = (g: number, h: number): number => (-g / (h + l2)) * learningRate;

  for (let round = 0; round < options.maxRounds; round++) {
    for (let r = 0; r < n; r++) {
      const p = sigmoid(score[r] as number);
      grad[r] = p - (train.y[r] as number);
      hess[r] = Math.max(p * (1 - p), 1e-12);
    }
    const tree: TreeNode[] = [];
    const grow = (rows: Int32Array, depth: number): number => {
      let g = 0;
      let h = 0;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as number;
        g += grad[r] as number;
        h += hess[r] as number;
      }
      const index = tree.length;
      const value = leafValue(g, h);
      tree.push({ feature: -1, threshold: 0, left: 0, right: 0, value });
      if (depth >= maxDepth || h < 2 * minChildHessian) {
        for (let i = 0; i < rows.length; i++) {
          const r = rows[i] as number;
          score[r] = (score[r] as number) + value;
        }
        return index;
      }
      histG.fill(0);
      histH.fill(0);
      for (let f = 0; f < width; f++) {
        const base = f * n;
        const hb = f * maxBins;
        for (let i = 0; i < rows.length; i++) {
          const r = rows[i] as number;
          const b = hb + (bins[base + r] as number);
          histG[b] = (histG[b] as number) + (grad[r] as number);
          histH[b] = (histH[b] as number) + (hess[r] as number);
        }
      }
      const parentGain = (g * g) / (h + l2);
      let bestGain = 1e-9;
      let bestFeature = -1;
      let bestBin = -1;
      for (let f = 0; f < width; f++) {
        const count = (edges[f] as Float32Array).length;
        let gl = 0;
        let hl = 0;
        for (let b = 0; b < count - 1; b++) {
          gl += histG[f * maxBins + b] as number;
          hl += histH[f * maxBins + b] as number;
          const hr = h - hl;
          if (hl < minChildHessian || hr < minChildHessian) continue;
          const gr = g - gl;
          const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentGain;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
          }
        }
      }
      if (bestFeature < 0) {
        for (let i = 0; i < rows.length; i++) {
          const r = rows[i] as number;
          score[r] = (score[r] as number) + value;
        }
        return index;
      }
      const left: number[] = [];
      const right: number[] = [];
      const base = bestFeature * n;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as number;
        if ((bins[base + r] as number) <= bestBin) left.push(r);
        else right.push(r);
      }
      const leftIndex = grow(Int32Array.from(left), depth + 1);
      const rightIndex = grow(Int32Array.from(right), depth + 1);
      tree[index] = {
        feature: bestFeature,
        threshold: (edges[bestFeature] as Float32Array)[bestBin] as number,
        left: leftIndex,
        right: rightIndex,
        value,
      };
      return index;
    };
    const all = new Int32Array(n);
    for (let r = 0; r < n; r++) all[r] = r;
    grow(all, 0);
    trees.push(tree);

    let loss = 0;
    for (let r = 0; r < valid.rows; r++) {
      validScore[r] = (validScore[r] as number) + leafOf(tree, valid.x, r * width).value;
      const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(validScore[r] as number)));
      loss -= valid.y[r] ? Math.log(p) : Math.log(1 - p);
    }
    if (loss < bestLoss) {
      bestLoss = loss;
      bestRounds = trees.length;
    } else if (trees.length - bestRounds >= options.patience) break;
  }
  return { width, baseScore, trees: trees.slice(0, bestRounds), options };
}

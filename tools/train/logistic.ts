/**
 * L2-regularised logistic regression on standardised features, fitted by Newton–Raphson (IRLS).
 * Deterministic: no random initialisation, no data-order dependence beyond floating-point sums.
 * In standardised space each feature's contribution w·(x − μ)/σ is exact, and their sum plus the
 * intercept is the log-odds.
 */

export interface LogisticModel {
  readonly means: Float64Array;
  readonly scales: Float64Array;
  /** Weights in standardised space. */
  readonly weights: Float64Array;
  readonly intercept: number;
  readonly iterations: number;
}

export interface FitOptions {
  readonly l2: number;
  readonly maxIterations: number;
  readonly tolerance: number;
}

export const DEFAULT_FIT: FitOptions = { l2: 1, maxIterations: 50, tolerance: 1e-8 };

/** Fits on `rows` × `width` row-major features `x` and 0/1 labels `y`. */
export function fitLogistic(
  x: Float32Array,
  y: Uint8Array,
  rows: number,
  width: number,
  options = DEFAULT_FIT,
): LogisticModel {
  const means = new Float64Array(width);
  const scales = new Float64Array(width);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < width; j++) means[j] = (means[j] as number) + (x[r * width + j] as number);
  for (let j = 0; j < width; j++) means[j] = (means[j] as number) / rows;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) {
      const d = (x[r * width + j] as number) - (means[j] as number);
      scales[j] = (scales[j] as number) + d * d;
    }
  }
  for (let j = 0; j < width; j++) {
    const sd = Math.sqrt((scales[j] as number) / rows);
    scales[j] = sd > 1e-9 ? sd : 1;
  }
  const p = width + 1; // intercept last
  const beta = new Float64Array(p);
  const z = new Float64Array(p);
  let iterations = 0;
  for (; iterations < options.maxIterations; iterations++) {
    const grad = new Float64Array(p);
    const hess = new Float64Array(p * p);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++)
        z[j] = ((x[r * width + j] as number) - (means[j] as number)) / (scales[j] as number);
      z[width] = 1;
      let eta = 0;
      for (let j = 0; j < p; j++) eta += (beta[j] as number) * (z[j] as number);
      const mu = 1 / (1 + Math.exp(-eta));
      const w = Math.max(mu * (1 - mu), 1e-12);
      const resid = (y[r] as number) - mu;
      for (let a = 0; a < p; a++) {
        const za = z[a] as number;
        grad[a] = (grad[a] as number) + za * resid;
        for (let b = a; b < p; b++) hess[a * p + b] = (hess[a * p + b] as number) + w * za * (z[b] as number);
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) hess[a * p + b] = hess[b * p + a] as number;
    for (let j = 0; j < width; j++) {
      grad[j] = (grad[j] as number) - options.l2 * (beta[j] as number);
      hess[j * p + j] = (hess[j * p + j] as number) + options.l2;
    }
    const step = solveSymmetric(hess, grad, p);
    let change = 0;
    for (let j = 0; j < p; j++) {
      beta[j] = (beta[j] as number) + (step[j] as number);
      change = Math.max(change, Math.abs(step[j] as number));
    }
    if (change < options.tolerance) {
      iterations++;
      break;
    }
  }
  return { means, scales, weights: beta.slice(0, width), intercept: beta[width] as number, iterations };
}

/** Probability for one row, computed in float64 (the reference for the ONNX export). */
export function predictRow(model: LogisticModel, x: ArrayLike<number>, offset = 0): number {
  return 1 / (1 + Math.exp(-logOddsRow(model, x, offset)));
}

/** Log-odds for one row, in float64. */
export function logOddsRow(model: LogisticModel, x: ArrayLike<number>, offset = 0): number {
  let eta = model.intercept;
  for (let j = 0; j < model.weights.length; j++) {
    eta +=
      (model.weights[j] as number) *
      (((x[offset + j] as number) - (model.means[j] as number)) / (model.scales[j] as number));
  }
  return eta;
}

/** Solves H·s = g by Gaussian elimination with partial pivoting. */
function solveSymmetric(h: Float64Array, g: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(h);
  const b = Float64Array.from(g);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(a[r * n + col] as number) > Math.abs(a[pivot * n + col] as number)) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) {
        const t = a[col * n + c] as number;
        a[col * n + c] = a[pivot * n + c] as number;
        a[pivot * n + c] = t;
      }
      const t = b[col] as number;
      b[col] = b[pivot] as number;
      b[pivot] = t;
    }
    const d = a[col * n + col] as number;
    if (Math.abs(d) < 1e-15) throw new Error('singular Hessian: a feature is constant or duplicated');
    for (let r = col + 1; r < n; r++) {
      const f = (a[r * n + col] as number) / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] = (a[r * n + c] as number) - f * (a[col * n + c] as number);
      b[r] = (b[r] as number) - f * (b[col] as number);
    }
  }
  const s = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let acc = b[r] as number;
    for (let c = r + 1; c < n; c++) acc -= (a[r * n + c] as number) * (s[c] as number);
    s[r] = acc / (a[r * n + r] as number);
  }
  return s;
}

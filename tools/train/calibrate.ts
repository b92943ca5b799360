/**
 * Platt scaling: a logistic fit of the outcome on a model's log-odds, on a cohort the model was not
 * trained on. Calibrated log-odds are `slope · s + intercept`; since the map is linear, every
 * feature's contribution scales by the same slope and the decomposition stays exact.
 */

export interface PlattScaling {
  readonly slope: number;
  readonly intercept: number;
}

export const IDENTITY_SCALING: PlattScaling = { slope: 1, intercept: 0 };

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Fits by Newton's method on (slope, intercept), starting from the identity. */
export function fitPlatt(logOdds: Float64Array, y: Uint8Array, maxIterations = 50): PlattScaling {
  let a = 1;
  let b = 0;
  for (let it = 0; it < maxIterations; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < logOdds.length; i++) {
      const s = logOdds[i] as number;
      const p = sigmoid(a * s + b);
      const r = p - (y[i] as number);
      const w = p * (1 - p);
      ga += r * s;
      gb += r;
      haa += w * s * s;
      hab += w * s;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return { slope: a, intercept: b };
}

export function applyPlatt(scaling: PlattScaling, logOdds: Float64Array): Float64Array {
  return logOdds.map((s) => sigmoid(scaling.slope * s + scaling.intercept));
}

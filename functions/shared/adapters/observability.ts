/**
 * Metrics of every function, one instance per container: Powertools Metrics (CloudWatch EMF lines
 * in the `SAN` namespace); the domain counts through `countMetric`. Built on first use, from the
 * environment then: the local runtime and the tests turn them off (`POWERTOOLS_METRICS_DISABLED=true`),
 * so that a local run prints nothing extra. Tracing, and the wrapper each Lambda entry puts around
 * its handler, are `tracing.ts`: only the entries load the X-Ray SDK.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'SAN';
const SERVICE = 'san';

/** The metrics SAN publishes, each with the one dimension it is counted by. */
export const METRIC = {
  rowsAccepted: { name: 'RowsAccepted', dimension: 'source' },
  rowsRejected: { name: 'RowsRejected', dimension: 'source' },
  alertsFiled: { name: 'AlertsFiled', dimension: 'comuna' },
  comunasScored: { name: 'ComunasScored', dimension: 'comuna' },
  identityReads: { name: 'IdentityReads', dimension: 'comuna' },
  /** A comuna's drift report flagged at `vigilar` or `actuar` (its worst level); the stack alarms on it. */
  driftFlagged: { name: 'DriftFlagged', dimension: 'level' },
} as const;
export type MetricId = keyof typeof METRIC;

let metricsInstance: Metrics | undefined;

export function metrics(): Metrics {
  metricsInstance ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });
  return metricsInstance;
}

/**
 * Counts `value` of a metric under its dimension's value (a source, a comuna). Published at once as
 * its own EMF line, so that one invocation may count several comunas or sources.
 */
export function countMetric(id: MetricId, dimensionValue: string, value = 1): void {
  const { name, dimension } = METRIC[id];
  const single = metrics().singleMetric();
  single.addDimension(dimension, dimensionValue);
  single.addMetric(name, MetricUnit.Count, value);
}

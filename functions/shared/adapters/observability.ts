/**
 * Tracing and metrics of every function, one pair per container: Powertools Tracer (the handler and
 * every AWS SDK client made by `aws-clients.ts` as X-Ray subsegments) and Metrics (CloudWatch EMF
 * lines in the `SAN` namespace). Each function's `index.ts` wraps its handler with `instrument`; the
 * domain counts through `countMetric`. Both are built on first use, from the environment then: the
 * local runtime and the tests turn them off (`POWERTOOLS_TRACE_ENABLED=false`,
 * `POWERTOOLS_METRICS_DISABLED=true`), so that a local run prints nothing extra.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddyfiedHandler } from '@middy/core';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

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

let tracerInstance: Tracer | undefined;
let metricsInstance: Metrics | undefined;

export function tracer(): Tracer {
  tracerInstance ??= new Tracer({ serviceName: SERVICE });
  return tracerInstance;
}

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

/** The Lambda entry: `handler` traced (cold start, errors) and with metrics flushed at its end. */
export function instrument<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
): MiddyfiedHandler<E, R, Error, Context> {
  return middy(handler)
    .use(captureLambdaHandler(tracer(), { captureResponse: false }))
    .use(logMetrics(metrics(), { captureColdStartMetric: true }));
}

/**
 * Tracing of a Lambda entry: Powertools Tracer around the handler (cold start, errors) and around
 * every AWS SDK client `aws-clients.ts` builds, as X-Ray subsegments, with metrics flushed at the
 * handler's end. Only the functions' `index.ts` entries import this module: loading the X-Ray SDK
 * installs async hooks that tax every promise, so the local runtime and the tests, which call each
 * feature's `createHandler` directly, never load it.
 */
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddyfiedHandler } from '@middy/core';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { traceClientsWith } from './aws-clients';
import { metrics } from './observability';

let tracerInstance: Tracer | undefined;

export function tracer(): Tracer {
  tracerInstance ??= new Tracer({ serviceName: 'san' });
  return tracerInstance;
}

// Clients are built when the entry calls `createHandler`, after every module has loaded.
traceClientsWith((client) => tracer().captureAWSv3Client(client));

/** The Lambda entry: `handler` traced (cold start, errors) and with metrics flushed at its end. */
export function instrument<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
): MiddyfiedHandler<E, R, Error, Context> {
  return middy(handler)
    .use(captureLambdaHandler(tracer(), { captureResponse: false }))
    .use(logMetrics(metrics(), { captureColdStartMetric: true }));
}

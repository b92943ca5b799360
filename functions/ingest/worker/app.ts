/**
 * Ingest worker: consumes the ingest task queue — the chunk, reduce, finalize and publish tasks of
 * the fan-out in `domain/run/` — one task per message, with partial batch failures so that a
 * failing task is retried alone and ends in the dead-letter queue after the receive limit; on its
 * last delivery the run is ended by the one failure rule (`domain/run/failure.ts`).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { createLogger } from '../../shared/adapters/logger';
import { countMetric } from '../../shared/adapters/observability';
import { sqsBatchHandler } from '../../shared/adapters/sqs-batch';
import { ingestDepsFromEnv } from '../adapters/ingest-deps';
import type { IngestReport } from '../domain/report';
import { processChunk } from '../domain/run/chunk';
import { failRun } from '../domain/run/failure';
import { finalizeRun } from '../domain/run/finalize';
import { publishPart } from '../domain/run/publish';
import { reduceBucket } from '../domain/run/reduce';

export const ingestTaskSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chunk'), runId: z.string().min(1), index: z.number().int().min(0) }),
  z.object({ type: z.literal('reduce'), runId: z.string().min(1), bucket: z.number().int().min(0) }),
  z.object({ type: z.literal('finalize'), runId: z.string().min(1) }),
  z.object({
    type: z.literal('publish'),
    runId: z.string().min(1),
    bucket: z.number().int().min(0),
    part: z.number().int().min(0),
  }),
]);

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const { env, deps } = ingestDepsFromEnv(rawEnv);
  const logger = createLogger('san-ingest-worker');

  const processRecord = async (task: z.infer<typeof ingestTaskSchema>, record: SQSRecord): Promise<void> => {
    const d = await deps();
    try {
      await runTask(d, task);
    } catch (error) {
      // On its last delivery a failing task ends the run as rejected instead of leaving it
      // processing forever; the message still goes to the dead-letter queue for inspection.
      if (Number(record.attributes.ApproximateReceiveCount) >= env.INGEST_TASKS_MAX_RECEIVES) {
        const message = error instanceof Error ? error.message : String(error);
        logger.error('ingest task failed for good', { runId: task.runId, type: task.type, error: message });
        await failRun(
          d,
          task.runId,
          { problem: 'processing-failed', message: `tarea ${task.type} fallida: ${message}` },
          task.type === 'finalize' ? 'finalize' : 'task',
        );
      }
      throw error;
    }
  };

  const logReport = (message: string, runId: string, report: IngestReport): void => {
    logger.info(message, {
      runId,
      objectKey: report.objectKey,
      status: report.status,
      rowsRead: report.rowsRead,
      accepted: report.accepted,
      rejected: report.rejected,
      duplicates: report.duplicates,
      ...(report.identities ? { identities: report.identities } : {}),
    });
  };

  const runTask = async (
    d: Awaited<ReturnType<typeof deps>>,
    task: z.infer<typeof ingestTaskSchema>,
  ): Promise<void> => {
    if (task.type === 'chunk') await processChunk(d, task.runId, task.index);
    else if (task.type === 'reduce') await reduceBucket(d, task.runId, task.bucket);
    else if (task.type === 'publish') {
      const outcome = await publishPart(d, task.runId, task.bucket, task.part);
      if (outcome.status === 'promoted') logReport('extract ingested', task.runId, outcome.report);
    } else {
      const report = await finalizeRun(d, task.runId);
      logReport('extract finalized', task.runId, report);
      countMetric('rowsAccepted', report.source, report.accepted);
      countMetric('rowsRejected', report.source, report.rejected);
    }
  };

  const handle = sqsBatchHandler({
    schema: ingestTaskSchema,
    what: 'an ingest task',
    logger,
    process: processRecord,
  });
  return middy(handle).use(injectLambdaContext(logger));
}

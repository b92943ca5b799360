/**
 * Ingest worker: consumes the ingest task queue — chunk, reduce and finalize tasks of the fan-out in
 * `domain/ingest-run.ts` — one task per message, with partial batch failures so that a failing task
 * is retried alone and ends in the dead-letter queue after the receive limit.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { createLogger } from '../../shared/logger';
import { parseMessage } from '../../shared/sqs-message';
import { finalizeRun, processChunk, reduceBucket } from '../domain/ingest-run';
import { ingestDepsFromEnv } from '../ingest-deps';

export const ingestTaskSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chunk'), runId: z.string().min(1), index: z.number().int().min(0) }),
  z.object({ type: z.literal('reduce'), runId: z.string().min(1), bucket: z.number().int().min(0) }),
  z.object({ type: z.literal('finalize'), runId: z.string().min(1) }),
]);

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const { deps } = ingestDepsFromEnv(rawEnv);
  const logger = createLogger('san-ingest-worker');
  const processor = new BatchProcessor(EventType.SQS);

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const task = parseMessage(record, ingestTaskSchema, 'an ingest task');
    const d = await deps();
    if (task.type === 'chunk') await processChunk(d, task.runId, task.index);
    else if (task.type === 'reduce') await reduceBucket(d, task.runId, task.bucket);
    else {
      const report = await finalizeRun(d, task.runId);
      logger.info('extract ingested', {
        runId: task.runId,
        objectKey: report.objectKey,
        status: report.status,
        rowsRead: report.rowsRead,
        accepted: report.accepted,
        rejected: report.rejected,
        duplicates: report.duplicates,
      });
    }
  };

  const handle = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, processRecord, processor, { context });
  return middy(handle).use(injectLambdaContext(logger));
}

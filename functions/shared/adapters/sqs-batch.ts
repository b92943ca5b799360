/**
 * SQS batches at the function edge: Powertools' BatchProcessor with its parser integration checks
 * each body (JSON, then the message's zod schema) before the record handler sees it. A message that
 * does not parse, or whose processing fails, is a batch item failure: the others complete, and the
 * queue moves it to its dead-letter queue after the receive limit. Each failure is logged with its
 * message id and reason (no part of the body: a description is free text).
 */

import {
  BatchProcessor,
  EventType,
  FullBatchFailureError,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import type { Logger } from '@aws-lambda-powertools/logger';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';

export interface SqsBatchOptions<S extends z.ZodType> {
  /** The schema of a message body (written with `toMessageBody`). */
  readonly schema: S;
  /** What a message is, in words, for the log: "an alert". */
  readonly what: string;
  readonly logger: Logger;
  /** Processes one parsed message; throwing makes it a batch item failure. */
  readonly process: (message: z.infer<S>, record: SQSRecord) => Promise<void>;
}

/** The SQS handler of a function: parses each record's body and processes it, with partial failures. */
export function sqsBatchHandler<S extends z.ZodType>(
  options: SqsBatchOptions<S>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS, {
    parser,
    schema: SqsRecordSchema.extend({ body: JSONStringified(options.schema) }),
    logger: options.logger,
  });
  const processRecord = async (record: SQSRecord): Promise<void> =>
    // The parser has replaced the body with the parsed message.
    options.process(record.body as unknown as z.infer<S>, record);

  const logFailures = (): void => {
    processor.failureMessages.forEach((failed, i) => {
      const record = failed as SQSRecord;
      options.logger.error('message not processed', {
        messageId: record.messageId,
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 0),
        reason: reasonOf(processor.errors[i], options.what),
      });
    });
  };

  return async (event, context) => {
    let response: SQSBatchResponse;
    try {
      response = await processPartialResponse(event, processRecord, processor, { context });
    } catch (error) {
      // Every record failed (the whole batch goes back); any other error came before processing,
      // and the processor still holds the previous batch's failures.
      if (error instanceof FullBatchFailureError) logFailures();
      throw error;
    }
    logFailures();
    return response;
  };
}

/** Why a record failed, without any of its body (V8's JSON errors quote the text they choke on). */
function reasonOf(error: Error | undefined, what: string): string {
  if (error?.name !== 'ParsingError') return error ? `${error.name}: ${error.message}` : 'unknown error';
  if (error.message.includes('Invalid JSON')) return 'the body is not JSON';
  return `the body is not ${what}: ${error.message}`;
}

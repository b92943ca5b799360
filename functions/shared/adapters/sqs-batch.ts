/**
 * SQS batches at the function edge: Powertools' BatchProcessor with its parser integration checks
 * each body (JSON, then the message's zod schema) before the record handler sees it. A message that
 * does not parse, or whose processing fails, is a batch item failure: the others complete, and the
 * queue moves it to its dead-letter queue after the receive limit. Each failure is logged with its
 * message id and reason (no part of the body: a description is free text).
 *
 * With `deadLetter`, a message that can never be processed (its body does not parse) and one that
 * failed on its last allowed receive are set aside in the dead-letter queue by the function itself,
 * with the reason as message attributes, so that whoever redrives it knows why it is there; a
 * message that cannot be set aside stays a batch item failure, and nothing is lost.
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
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
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
  readonly deadLetter?: DeadLetter;
}

/** Where a consumer sets aside what it cannot process. */
export interface DeadLetter {
  /** The source queue's receive limit: the receive on which a failure is final. */
  readonly maxReceives: number;
  /** Sends a message's body to the dead-letter queue with these string attributes. */
  send(body: string, attributes: Readonly<Record<string, string>>): Promise<void>;
}

/** The attributes a message set aside carries. */
export const DEAD_LETTER_ATTRIBUTES = ['reason', 'failedAt', 'receiveCount', 'sourceQueue'] as const;

/** A dead letter on SQS. */
export function sqsDeadLetter(sqs: SQSClient, queueUrl: string, maxReceives: number): DeadLetter {
  return {
    maxReceives,
    async send(body, attributes) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
          ),
        }),
      );
    },
  };
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

  /** Sets aside the failures that are final; answers the ids it could not set aside. */
  const setAside = async (event: SQSEvent, failures: readonly string[]): Promise<string[]> => {
    const deadLetter = options.deadLetter;
    if (!deadLetter || failures.length === 0) return [...failures];
    const byId = new Map(event.Records.map((r) => [r.messageId, r]));
    const reasons = new Map<string, { reason: string; final: boolean }>();
    processor.failureMessages.forEach((failed, i) => {
      const error = processor.errors[i];
      const record = failed as SQSRecord;
      const receives = Number(record.attributes?.ApproximateReceiveCount ?? 0);
      reasons.set(record.messageId, {
        reason: reasonOf(error, options.what),
        final: error?.name === 'ParsingError' || receives >= deadLetter.maxReceives,
      });
    });
    const kept: string[] = [];
    for (const id of failures) {
      const record = byId.get(id);
      const why = reasons.get(id);
      if (!record || !why?.final) {
        kept.push(id);
        continue;
      }
      try {
        await deadLetter.send(record.body, {
          reason: why.reason.slice(0, 1000),
          failedAt: new Date().toISOString(),
          receiveCount: record.attributes?.ApproximateReceiveCount ?? '0',
          sourceQueue: record.eventSourceARN.split(':').at(-1) ?? record.eventSourceARN,
        });
        options.logger.warn('message set aside in the dead-letter queue', {
          messageId: id,
          reason: why.reason,
        });
      } catch (error) {
        options.logger.error('message could not be set aside; left for the queue to retry', {
          messageId: id,
          error: (error as Error).message,
        });
        kept.push(id);
      }
    }
    return kept;
  };

  return async (event, context) => {
    let response: SQSBatchResponse;
    try {
      response = await processPartialResponse(event, processRecord, processor, {
        context,
        throwOnFullBatchFailure: options.deadLetter === undefined,
      });
    } catch (error) {
      // Every record failed (the whole batch goes back); any other error came before processing,
      // and the processor still holds the previous batch's failures.
      if (error instanceof FullBatchFailureError) logFailures();
      throw error;
    }
    logFailures();
    const kept = await setAside(
      event,
      response.batchItemFailures.map((f) => f.itemIdentifier),
    );
    return { batchItemFailures: kept.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** Why a record failed, without any of its body (V8's JSON errors quote the text they choke on). */
function reasonOf(error: Error | undefined, what: string): string {
  if (error?.name !== 'ParsingError') return error ? `${error.name}: ${error.message}` : 'unknown error';
  if (error.message.includes('Invalid JSON')) return 'the body is not JSON';
  return `the body is not ${what}: ${error.message}`;
}

/** Parsing of SQS message bodies at the function edge: JSON, then the message's schema. */
import type { SQSRecord } from 'aws-lambda';
import type { z } from 'zod';

/** A message that can never be processed; after the queue's receive limit it lands in the DLQ. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

export function parseMessage<S extends z.ZodType>(record: SQSRecord, schema: S, what: string): z.infer<S> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new PoisonMessageError(`message ${record.messageId} is not JSON`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PoisonMessageError(
      `message ${record.messageId} is not ${what}: ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

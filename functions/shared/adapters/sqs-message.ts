/**
 * SQS message bodies at the function edge: written as ASCII-only JSON, parsed back as JSON and then
 * against the message's schema.
 */
import type { SQSRecord } from 'aws-lambda';
import type { z } from 'zod';

/** A message that can never be processed; after the queue's receive limit it lands in the DLQ. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

/**
 * A message body as JSON with every character outside ASCII written as a `\uXXXX` escape (a
 * character beyond the Basic Multilingual Plane as its two surrogate escapes). SQS refuses some
 * characters in a body (U+FFFE, U+FFFF) and the local stand-in, fauxqs, everything above U+FFFD,
 * so an emoji in a description failed the send locally; JSON.parse reads the escapes back to the
 * same text, so consumers need nothing special.
 */
export function toMessageBody(message: unknown): string {
  // Outside string literals, JSON.stringify writes only ASCII, so every match is inside a string.
  return JSON.stringify(message).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The body of `record` as JSON (escapes included) checked against `schema`; poison otherwise. */
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

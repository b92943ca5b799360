/**
 * SQS message bodies as written: ASCII-only JSON. They are read back, as JSON and then against the
 * message's schema, by `sqs-batch.ts`.
 */

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

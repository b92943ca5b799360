/**
 * `npm run san -- redrive <cola>`: moves the messages of a queue's dead-letter queue back to the
 * queue, after the fix that lets them through, locally (the queues of `npm start`, by name) and in
 * AWS (by the URLs the stack outputs). Before moving, it counts the messages by the reason the
 * consumer gave when it set each aside; `--dry-run` only counts. A message is deleted from the
 * dead-letter queue only once the queue has taken it, so an interrupted redrive loses nothing (a
 * message may at worst be moved twice, which the consumers' idempotence absorbs).
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../../functions/shared/adapters/sqs-batch';

export interface RedriveResult {
  /** Messages found in the dead-letter queue, by the reason they were set aside for. */
  readonly reasons: ReadonlyMap<string, number>;
  readonly found: number;
  readonly moved: number;
}

const NO_REASON = '(sin motivo: la cola lo movió al agotar sus intentos)';

export async function redrive(options: {
  readonly sqs: SQSClient;
  readonly deadLetterUrl: string;
  readonly queueUrl: string;
  readonly dryRun: boolean;
  /** Stop after this many messages. */
  readonly max: number;
}): Promise<RedriveResult> {
  const { sqs } = options;
  const reasons = new Map<string, number>();
  const held: Message[] = [];
  let found = 0;
  let moved = 0;
  let emptyAnswers = 0;
  // Only what was there when the redrive began: a message that fails again and is set aside anew
  // meanwhile waits for the next redrive instead of going round for ever.
  const began = Date.now();
  while (found < options.max && emptyAnswers < 2) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.deadLetterUrl,
        MaxNumberOfMessages: Math.min(10, options.max - found),
        WaitTimeSeconds: 1,
        // Long enough to move them; held out of sight meanwhile so that none is read twice.
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    const received = out.Messages ?? [];
    const later = received.filter((m) => Number(m.Attributes?.SentTimestamp ?? 0) > began);
    held.push(...later);
    const messages = received.filter((m) => !later.includes(m));
    if (received.length === 0) {
      emptyAnswers++;
      continue;
    }
    emptyAnswers = 0;
    if (messages.length === 0) continue;
    found += messages.length;
    for (const m of messages) {
      const reason = m.MessageAttributes?.reason?.StringValue ?? NO_REASON;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    if (options.dryRun) {
      held.push(...messages);
      continue;
    }
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          MessageAttributes: Object.fromEntries(
            Object.entries(m.MessageAttributes ?? {}).filter(
              ([name]) => !(DEAD_LETTER_ATTRIBUTES as readonly string[]).includes(name),
            ),
          ),
        })),
      }),
    );
    const taken = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
    const done = messages.filter((_, i) => taken.has(i));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.deadLetterUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    moved += done.length;
    // What the queue refused stays in the dead-letter queue, visible again for the next attempt.
    held.push(...messages.filter((_, i) => !taken.has(i)));
  }
  for (let i = 0; i < held.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.deadLetterUrl,
        Entries: held.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return { reasons, found, moved };
}

/**
 * The system's notification topics on the local SNS stand-in (fauxqs, on the same endpoint as SQS).
 * Each topic gets a local subscriber in place of the coordinators' e-mail or SMS: an SQS queue with
 * raw delivery, read by a loop that prints every message to the start log and keeps it, so that a
 * person running `npm start`, or a test, sees what would have reached a phone.
 */
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { TopicId } from '../infra/system';

/** One message as the topic delivered it: its body and its message attributes. */
export interface DeliveredMessage {
  readonly topic: TopicId;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface LocalTopics {
  /** The topic's ARN, for the functions that publish to it. */
  readonly arns: Readonly<Record<TopicId, string>>;
  /** Every message delivered so far, oldest first. */
  delivered(topic: TopicId): readonly DeliveredMessage[];
  /** Messages published but not yet read by the local subscriber. */
  pending(): Promise<number>;
  stop(): Promise<void>;
}

export async function startTopics(deps: {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly topics: readonly TopicId[];
  readonly localName: (id: string) => string;
  readonly log: (line: string) => void;
}): Promise<LocalTopics> {
  const arns = {} as Record<TopicId, string>;
  const subscribers: { topic: TopicId; url: string }[] = [];
  for (const topic of deps.topics) {
    const created = await deps.sns.send(new CreateTopicCommand({ Name: deps.localName(topic) }));
    const queue = await deps.sqs.send(new CreateQueueCommand({ QueueName: `${deps.localName(topic)}-log` }));
    if (!created.TopicArn || !queue.QueueUrl) throw new Error(`topic ${topic} was not created`);
    const queueArn = (
      await deps.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn;
    await deps.sns.send(
      new SubscribeCommand({
        TopicArn: created.TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    arns[topic] = created.TopicArn;
    subscribers.push({ topic, url: queue.QueueUrl });
  }

  const delivered: DeliveredMessage[] = [];
  let running = true;
  const loops = subscribers.map(async ({ topic, url }) => {
    while (running) {
      try {
        const out = await deps.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
          }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) continue;
        for (const m of messages) {
          const attributes = Object.fromEntries(
            Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
          );
          delivered.push({ topic, body: m.Body ?? '', attributes });
          deps.log(`${topic}: ${describe(m.Body ?? '', attributes)}`);
        }
        await deps.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      } catch (error) {
        if (running) deps.log(`${topic}: local subscriber: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });

  return {
    arns,
    delivered: (topic) => delivered.filter((d) => d.topic === topic),
    async pending() {
      let total = 0;
      for (const { url } of subscribers) {
        const out = await deps.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        total +=
          Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
          Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      }
      return total;
    },
    async stop() {
      running = false;
      await Promise.allSettled(loops);
    },
  };
}

/** A message for the start log: its `text` field when it is a notification, else its body. */
function describe(body: string, attributes: Readonly<Record<string, string>>): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { text?: unknown };
    if (typeof parsed.text === 'string') text = parsed.text;
  } catch {
    // Not JSON: shown as it came.
  }
  const to = [attributes.audience, attributes.comuna && `comuna ${attributes.comuna}`]
    .filter(Boolean)
    .join(', ');
  return to ? `[${to}] ${text}` : text;
}

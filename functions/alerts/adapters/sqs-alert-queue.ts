/** AlertQueue on SQS; bodies are ASCII-only JSON, so any valid text in a description goes through. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { toMessageBody } from '../../shared/adapters/sqs-message';
import type { AlertMessage } from '../domain/alert';
import type { AlertQueue } from '../domain/ports';

export class SqsAlertQueue implements AlertQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: AlertMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: toMessageBody(message) }),
    );
  }
}

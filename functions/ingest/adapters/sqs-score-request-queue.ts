/** ScoreRequestQueue on SQS: one message per (cut, comuna), sent in batches of ten. */

import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { ScoreRequest, ScoreRequestQueue } from '../domain/ports';

export class SqsScoreRequestQueue implements ScoreRequestQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendAll(requests: readonly ScoreRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 10) {
      const batch = requests.slice(i, i + 10);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((r, j) => ({ Id: String(j), MessageBody: JSON.stringify(r) })),
        }),
      );
      if (out.Failed && out.Failed.length > 0) {
        throw new Error(
          `could not queue score requests: ${out.Failed.map((f) => f.Message ?? f.Code).join('; ')}`,
        );
      }
    }
  }
}

/** ScoreRequestQueue and IngestTaskQueue on SQS: JSON messages sent in batches of ten. */

import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { IngestTask, IngestTaskQueue, ScoreRequest, ScoreRequestQueue } from '../domain/ports';

export class SqsJsonQueue<T> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendAll(messages: readonly T[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
        }),
      );
      if (out.Failed && out.Failed.length > 0) {
        throw new Error(`could not queue messages: ${out.Failed.map((f) => f.Message ?? f.Code).join('; ')}`);
      }
    }
  }
}

export class SqsScoreRequestQueue extends SqsJsonQueue<ScoreRequest> implements ScoreRequestQueue {}
export class SqsIngestTaskQueue extends SqsJsonQueue<IngestTask> implements IngestTaskQueue {}

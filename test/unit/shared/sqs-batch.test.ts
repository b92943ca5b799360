import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { sqsBatchHandler } from '../../../functions/shared/adapters/sqs-batch';
import { toMessageBody } from '../../../functions/shared/adapters/sqs-message';
import { context } from '../fixtures';

const record = (id: string, body: string, receives = 1): SQSRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body,
  attributes: {
    ApproximateReceiveCount: String(receives),
    SentTimestamp: '0',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
  awsRegion: 'us-east-1',
});

const schema = z.object({ name: z.string(), n: z.number().int() });

const setUp = (process: (message: z.infer<typeof schema>) => Promise<void>) => {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const errors = vi.spyOn(logger, 'error');
  const handler = sqsBatchHandler({ schema, what: 'a test message', logger, process });
  return { handler, errors };
};

describe('sqsBatchHandler', () => {
  it('hands parsed bodies to the processor and fails only the bad records, logging why', async () => {
    const seen: z.infer<typeof schema>[] = [];
    const { handler, errors } = setUp(async (m) => {
      if (m.n === 13) throw new Error('unlucky');
      seen.push(m);
    });
    const response = (await handler(
      {
        Records: [
          record('ok', toMessageBody({ name: 'Ñuñoa 😢', n: 1 })),
          record('not-json', '{"name": "Sofía Pérez", n'),
          record('bad-shape', JSON.stringify({ name: 'x', n: 1.5 }), 3),
          record('fails', JSON.stringify({ name: 'y', n: 13 })),
        ],
      },
      context,
    )) as SQSBatchResponse;
    expect(seen).toEqual([{ name: 'Ñuñoa 😢', n: 1 }]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      'not-json',
      'bad-shape',
      'fails',
    ]);
    const logged = errors.mock.calls.map(([, fields]) => fields as Record<string, unknown>);
    expect(logged.map((f) => f.messageId)).toEqual(['not-json', 'bad-shape', 'fails']);
    expect(logged[0]?.reason).toBe('the body is not JSON');
    expect(logged[1]).toMatchObject({ receiveCount: 3 });
    expect(String(logged[1]?.reason)).toMatch(/^the body is not a test message: body\.n: /);
    expect(logged[2]?.reason).toBe('Error: unlucky');
    expect(JSON.stringify(logged)).not.toContain('Sofía');
  });

  it('throws when every record fails, so the whole batch is retried, and still logs each', async () => {
    const { handler, errors } = setUp(async () => undefined);
    await expect(handler({ Records: [record('a', 'nope'), record('b', '{}')] }, context)).rejects.toThrow();
    expect(errors).toHaveBeenCalledTimes(2);
    // An event that is not a batch is refused before processing, without logging the last one again.
    await expect(handler({} as never, context)).rejects.toThrow();
    expect(errors).toHaveBeenCalledTimes(2);
  });
});

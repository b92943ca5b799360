import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../../functions/alerts/consumer/app';
import { countMetric, METRICS_NAMESPACE } from '../../../functions/shared/adapters/observability';
import { instrument } from '../../../functions/shared/adapters/tracing';
import { context, keyFileSource } from '../fixtures';

interface Emf {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [field: string]: unknown;
}

// Metrics on, written through the global console (Powertools' dev mode), for this file only.
const lines: string[] = [];
beforeAll(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'true');
});
afterAll(() => {
  vi.unstubAllEnvs();
});
beforeEach(() => {
  lines.length = 0;
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
});
const emitted = (): Emf[] => lines.map((l) => JSON.parse(l) as Emf);
/** Each metric emitted, as `name{dimension=value}=count`. */
const counted = (): string[] =>
  emitted().flatMap((emf) =>
    emf._aws.CloudWatchMetrics.flatMap((m) =>
      m.Metrics.map((metric) => {
        const dims = (m.Dimensions[0] ?? []).filter((d) => d !== 'service');
        return `${metric.Name}{${dims.map((d) => `${d}=${emf[d]}`).join(',')}}=${emf[metric.Name]}`;
      }),
    ),
  );

describe('metrics', () => {
  it('counts each metric in the SAN namespace under its dimension and the service', () => {
    countMetric('rowsAccepted', 'rsh', 120);
    countMetric('rowsRejected', 'rsh', 3);
    countMetric('alertsFiled', '13101');
    countMetric('comunasScored', '08101');
    countMetric('identityReads', '13101');
    expect(counted()).toEqual([
      'RowsAccepted{source=rsh}=120',
      'RowsRejected{source=rsh}=3',
      'AlertsFiled{comuna=13101}=1',
      'ComunasScored{comuna=08101}=1',
      'IdentityReads{comuna=13101}=1',
    ]);
    for (const emf of emitted()) {
      expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
      expect(emf._aws.CloudWatchMetrics[0]?.Metrics[0]?.Unit).toBe('Count');
      expect(emf._aws.CloudWatchMetrics[0]?.Dimensions[0]).toContain('service');
      expect(emf.service).toBe('san');
    }
  });

  it('counts the alerts a consumer batch files, per comuna that handles them, through the Lambda entry', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(PutCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const handler = instrument(
      createHandler({
        AWS_REGION: 'us-east-1',
        ALERTS_TABLE: 'alerts',
        OPEN_ALERTS_TABLE: 'open-alerts',
        ROSTER_TABLE: 'roster',
        NOTIFICATIONS_TABLE: 'notifications',
        NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:notifications',
        ALERTS_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/alerts-dlq',
        ALERTS_MAX_RECEIVES: '3',
        IDENTITIES_TABLE: 'identities',
        PSEUDONYM_KEY_SOURCE: keyFileSource(),
      }),
    );
    const body = (alertId: string, comuna: string, run: string) =>
      JSON.stringify({
        alertId,
        child: { run },
        comuna,
        riskFactor: 'situacion_de_calle',
        description: 'pernocta en la plaza',
        urgent: false,
        receivedAt: '2026-11-20T10:00:00.000Z',
        reporter: { id: 's', role: 'sectorialista', institution: 'CESFAM' },
      });
    const record = (id: string, text: string): SQSRecord => ({
      messageId: id,
      receiptHandle: `rh-${id}`,
      body: text,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:alerts',
      awsRegion: 'us-east-1',
    });
    await handler(
      {
        Records: [
          record('m-1', body('11111111-1111-4111-8111-111111111111', '13101', '12.345.678-5')),
          record('m-2', body('22222222-2222-4222-8222-222222222222', '08101', '11.111.111-1')),
          record('m-3', '{not json'),
        ],
      },
      context,
    );
    expect(counted()).toEqual(
      expect.arrayContaining(['AlertsFiled{comuna=13101}=1', 'AlertsFiled{comuna=08101}=1']),
    );
    expect(counted().filter((c) => c.startsWith('AlertsFiled'))).toHaveLength(2);
    ddb.restore();
  });
});

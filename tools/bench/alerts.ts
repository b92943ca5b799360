/**
 * `npm run bench:alerts`: alerts per second through the local system's intake (`POST /v1/alerts`),
 * queue and consumer, and the p50/p99 time from the POST to the alert being on the child's nómina
 * entry, beside the local queue's own send-receive round trip measured in the same run (the floor
 * any alert pays twice: once queued, once consumed). Every alert is checked filed once.
 *
 * The clients post from this process; a sample of the alerts is watched on the roster table with
 * consistent reads (not through the API, so that watching adds no HTTP load).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { checkDigit } from '../../functions/shared/domain/run';
import { signToken } from '../../local/auth';
import { startLocalSystem } from '../../local/runtime';
import { SURNAMES } from '../generate/names';
import { parseFlags, runMain } from '../lib/cli-args';

const schema = z.object({
  alerts: z.coerce.number().int().min(100).max(100_000).default(2_000),
  clients: z.coerce.number().int().min(1).max(200).default(20),
  sample: z.coerce.number().int().min(1).max(1_000).default(10),
  'without-run': z.boolean().default(false),
});

/**
 * A child named without RUN, different for every n: one of the ten commonest surnames of the
 * generator and a birth date of its own
 * (names are compared by their sound, so names alone would make many reports one child).
 */
const namedChild = (n: number) => ({
  givenNames: 'Camila',
  paternalSurname: SURNAMES[n % 10] as string,
  maternalSurname: 'Araya',
  birthDate: new Date(Date.UTC(2009, 0, 1) + n * 86_400_000).toISOString().slice(0, 10),
});

/** How long a watched alert may take to reach the nómina before the run is called failed. */
const WATCH_LIMIT_MS = 300_000;

const COMUNAS = ['13101', '13110', '13301', '08101'];

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

runMain(async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      alerts: { type: 'string', description: 'alerts to send (default 2000)' },
      clients: { type: 'string', description: 'concurrent clients (default 20)' },
      sample: { type: 'string', description: 'watch one alert in this many on the nómina (default 10)' },
      'without-run': {
        type: 'boolean',
        description: 'report children by names and birth date instead of RUN (the matching path)',
      },
    },
    schema,
    'npm run bench:alerts -- [--alerts 2000] [--clients 20] [--sample 10] [--without-run]',
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'san-bench-alerts-'));
  const local = await startLocalSystem({ dataDir, port: 0, reset: true, log: () => {} });
  try {
    const { sqs, dynamodb } = local.clients;

    // The reference: the local queue's own round trip (send, receive, delete), one message at a time.
    const scratch =
      (await sqs.send(new CreateQueueCommand({ QueueName: 'san-bench-round-trip' }))).QueueUrl ?? '';
    const trips: number[] = [];
    const tripStart = performance.now();
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await sqs.send(new SendMessageCommand({ QueueUrl: scratch, MessageBody: `{"n":${i}}` }));
      let received: string | undefined;
      while (!received) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: scratch, WaitTimeSeconds: 1 }));
        received = out.Messages?.[0]?.ReceiptHandle;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: scratch, ReceiptHandle: received }));
      trips.push(performance.now() - t);
    }
    const tripSeconds = (performance.now() - tripStart) / 1000;
    trips.sort((a, b) => a - b);

    const token = signToken(local.jwtKey, {
      sub: 'sect-bench',
      'custom:role': 'sectorialista',
      'custom:comunas': COMUNAS.join(','),
    });
    const watched: Promise<number>[] = [];
    /** Resolves with the ms from `postedAt` until the entry holds the alert. */
    const watch = async (comuna: string, childId: string, alertId: string, postedAt: number) => {
      for (;;) {
        if (performance.now() - postedAt > WATCH_LIMIT_MS) {
          throw new Error(
            `alert ${alertId} was not on the nómina entry ${comuna}/${childId} after ${WATCH_LIMIT_MS / 1000} s`,
          );
        }
        const out = await dynamodb.send(
          new GetItemCommand({
            TableName: local.names.tables.roster,
            Key: { comuna: { S: comuna }, childId: { S: childId } },
            ConsistentRead: true,
            ProjectionExpression: 'alerts',
          }),
        );
        if (JSON.stringify(out.Item?.alerts ?? null).includes(alertId)) return performance.now() - postedAt;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const accepted: string[] = [];
    let errors = 0;
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: flags.clients }, async () => {
        for (let n = next++; n < flags.alerts; n = next++) {
          const comuna = COMUNAS[n % COMUNAS.length] as string;
          const postedAt = performance.now();
          const response = await fetch(`${local.apiUrl}/v1/alerts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              ...(flags['without-run']
                ? { child: namedChild(n) }
                : { run: `${40_000_000 + n}-${checkDigit(40_000_000 + n)}` }),
              comuna,
              riskFactor: 'trayectoria_escolar_interrumpida',
              description: `Ausencias reiteradas, reporte ${n}`,
              urgent: false,
              reporter: { institution: 'Liceo de prueba' },
            }),
          });
          const body = (await response.json()) as { alertId: string; childId: string };
          if (response.status !== 202) {
            errors++;
            continue;
          }
          accepted.push(body.alertId);
          if (n % flags.sample === 0) watched.push(watch(comuna, body.childId, body.alertId, postedAt));
        }
      }),
    );
    const postSeconds = (performance.now() - start) / 1000;
    const latencies = (await Promise.all(watched)).sort((a, b) => a - b);
    await local.whenIdle(600_000);
    const allSeconds = (performance.now() - start) / 1000;

    let filed = 0;
    const ids = new Set<string>();
    let startKey: Record<string, never> | undefined;
    do {
      const out = await dynamodb.send(
        new ScanCommand({
          TableName: local.names.tables.alerts,
          ProjectionExpression: 'alertId',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        filed++;
        ids.add(item.alertId?.S ?? '');
      }
      startKey = out.LastEvaluatedKey as Record<string, never> | undefined;
    } while (startKey);

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(
      `bench:alerts: ${flags.alerts.toLocaleString('en')} alerts from ${flags.clients} clients over ${COMUNAS.length} comunas, ${flags['without-run'] ? 'children named without RUN (matched by names and birth date)' : 'children by RUN'}, one watched in ${flags.sample}; ` +
        `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()[0]?.toFixed(1)}; node ${process.version}`,
    );
    console.log('| measure | alerts (or messages) per second | p50 ms | p99 ms |');
    console.log('|---|---|---|---|');
    console.log(
      `| local queue round trip (send, receive, delete; one at a time) | ${(trips.length / tripSeconds).toFixed(0)} | ${quantile(trips, 0.5).toFixed(1)} | ${quantile(trips, 0.99).toFixed(1)} |`,
    );
    console.log(
      `| intake: POST /v1/alerts answered 202 | ${(accepted.length / postSeconds).toFixed(0)} | | |`,
    );
    console.log(
      `| through intake, queue and consumer onto the nómina (POST to visible) | ${(accepted.length / allSeconds).toFixed(0)} | ${quantile(latencies, 0.5).toFixed(1)} | ${quantile(latencies, 0.99).toFixed(1)} |`,
    );
    console.log(
      `POST to visible vs the queue's round trip: p50 ${(quantile(latencies, 0.5) / quantile(trips, 0.5)).toFixed(1)}×, p99 ${(quantile(latencies, 0.99) / quantile(trips, 0.99)).toFixed(1)}×; ` +
        `accepted ${accepted.length}, filed ${filed} (${ids.size} distinct), refused ${errors}`,
    );
    if (errors > 0 || filed !== accepted.length || ids.size !== accepted.length) {
      throw new Error(
        `alerts lost or filed twice: accepted ${accepted.length}, filed ${filed}, distinct ${ids.size}`,
      );
    }
  } finally {
    await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * The local runtime: starts the stand-ins, creates what `infra/system.ts` declares, builds every
 * function from its factory with an environment resolved for this machine, and delivers events the
 * way AWS does — S3 ObjectCreated records to their functions, SQS batches with partial batch
 * failures (the queue's redrive policy moves a message to its DLQ after the receive limit), HTTP
 * requests as API Gateway v2 events, and schedules. Nothing here is a mock: the functions talk to
 * real DynamoDB, S3 and SQS implementations over HTTP. At start it also resumes the ingest runs a
 * previous process left half-done, whose queued tasks died with its in-memory queues
 * (`recover-ingest.ts`).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { ReceiveMessageCommandOutput } from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { envReference, unhandledEnvReference } from '../infra/env-value';
import type { BucketId, EnvValue, FunctionDef, FunctionId, QueueId, TableId, TopicId } from '../infra/system';
import { entriesOf, system } from '../infra/system';
import { assertValidSystem } from '../infra/validate-system';
import type { AuthMode } from './auth';
import { loadOrCreateKey } from './auth';
import { startHttpGateway } from './http-gateway';
import { provisionTable } from './local-tables';
import { localName } from './names';
import { recoverInterruptedIngest } from './recover-ingest';
import type { StandIns, StoreUsage } from './stand-ins';
import { startStandIns } from './stand-ins';
import { assertStateFree, lockState } from './state-lock';
import type { DeliveredMessage } from './topics';
import { startTopics } from './topics';

export { LocalStateError } from './local-tables';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export interface LocalSystemOptions {
  readonly dataDir: string;
  /** Port of the HTTP API; 0 picks a free one. */
  readonly port: number;
  readonly reset?: boolean;
  readonly auth?: AuthMode;
  /** Delay before a failed SQS message is visible again (AWS waits the full visibility timeout). */
  readonly retryDelaySeconds?: number;
  /** Receives our event deliveries and invocation outcomes. */
  readonly log?: (line: string) => void;
  /** Values replacing literal settings of the system definition (e.g. smaller ingest chunks). */
  readonly envOverrides?: Readonly<Record<string, string>>;
}

export interface InvocationRecord {
  readonly functionId: FunctionId;
  readonly trigger: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly result?: unknown;
  readonly error?: string;
}

export interface LocalSystem {
  readonly apiUrl: string;
  readonly endpoints: StandIns['endpoints'];
  readonly names: {
    readonly buckets: Readonly<Record<BucketId, string>>;
    readonly tables: Readonly<Record<TableId, string>>;
    readonly queues: Readonly<Record<QueueId, { url: string; dlqUrl: string }>>;
    readonly topics: Readonly<Record<TopicId, string>>;
  };
  readonly clients: { readonly s3: S3Client; readonly dynamodb: DynamoDBClient; readonly sqs: SQSClient };
  /** Environment each function receives, as its Lambda would. */
  readonly functionEnv: Readonly<Record<FunctionId, Readonly<Record<string, string>>>>;
  readonly jwtKey: string;
  /**
   * Object keys whose ingest a previous process left half-done and this start resumed, re-planned
   * or ended as failed (each said in the start log).
   */
  readonly recovered: readonly string[];
  invoke(functionId: FunctionId, event: unknown, trigger?: string): Promise<unknown>;
  /** Resolves when no invocation is running and every queue is empty, twice in a row. */
  whenIdle(timeoutMs?: number): Promise<void>;
  /** Runs a scheduled function now, with `at` as the scheduled event's time (default: now). */
  runSchedule(functionId: FunctionId, at?: Date): Promise<unknown>;
  /** What a topic delivered to its local subscriber (in place of the cloud's e-mail or SMS), oldest first. */
  delivered(topic: TopicId): readonly DeliveredMessage[];
  /** DynamoDB requests the local stand-in has served, and the CPU time it spent, since start. */
  dynamodbUsage(): Promise<StoreUsage>;
  onInvocation(listener: (record: InvocationRecord) => void): void;
  stop(): Promise<void>;
}

/** Marks a folder as the runtime's own, so that `--reset` never deletes anything else. */
export const STATE_MARKER = '.san-local-state';

export class UnsafeResetError extends Error {
  override readonly name = 'UnsafeResetError';
}

/** Deletes the state folder, but only if it is missing, empty, or marked as the runtime's. */
async function resetStateFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  if (entries.length > 0 && !entries.includes(STATE_MARKER)) {
    throw new UnsafeResetError(
      `refusing to reset ${dir}: it is not a SAN local state folder (no ${STATE_MARKER}); choose another --data-dir`,
    );
  }
  await rm(dir, { recursive: true, force: true });
}

export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  // Before any state is touched: a definition the cloud would refuse or misbehave with is not run.
  assertValidSystem(system);
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  // A folder another running system holds is neither reset nor opened.
  await assertStateFree(dataDir);
  if (options.reset) await resetStateFolder(dataDir);
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, STATE_MARKER), 'Local state of the Sistema de Alerta Niñez runtime.\n');
  const unlockState = await lockState(dataDir);
  // The stand-ins accept any credentials except s3rver, which expects its own pair.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_REGION = REGION;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // No X-Ray daemon or CloudWatch here: tracing off, and no EMF metric lines among the logs.
  process.env.POWERTOOLS_TRACE_ENABLED = 'false';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';

  const standIns = await startStandIns(dataDir);
  const { endpoints } = standIns;
  const s3 = new S3Client({ region: REGION, endpoint: endpoints.s3, forcePathStyle: true });
  const dynamodb = new DynamoDBClient({ region: REGION, endpoint: endpoints.dynamodb });
  const sqs = new SQSClient({ region: REGION, endpoint: endpoints.sqs });

  // --- provision what the system definition declares -------------------------------------------
  const buckets = {} as Record<BucketId, string>;
  for (const [id] of entriesOf(system.buckets)) {
    buckets[id] = localName(id);
    try {
      await s3.send(new HeadBucketCommand({ Bucket: buckets[id] }));
    } catch {
      await s3.send(new CreateBucketCommand({ Bucket: buckets[id] }));
    }
  }
  const tables = {} as Record<TableId, string>;
  for (const [id, def] of entriesOf(system.tables)) {
    tables[id] = localName(id);
    try {
      const done = await provisionTable(dynamodb, tables[id], def, dataDir);
      if (done) log(done);
    } catch (error) {
      await standIns.stop();
      throw error;
    }
  }
  const queues = {} as Record<QueueId, { url: string; dlqUrl: string }>;
  for (const [id, def] of entriesOf(system.queues)) {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${localName(id)}-dlq` }));
    const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${localName(id)}-dlq`;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: localName(id),
        Attributes: {
          VisibilityTimeout: String(def.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: def.maxReceiveCount,
          }),
        },
      }),
    );
    if (!queue.QueueUrl || !dlq.QueueUrl) throw new Error(`queue ${id} was not created`);
    queues[id] = { url: queue.QueueUrl, dlqUrl: dlq.QueueUrl };
  }
  const sns = new SNSClient({ region: REGION, endpoint: endpoints.sqs });
  const topics = await startTopics({
    sns,
    sqs,
    topics: entriesOf(system.topics).map(([id]) => id),
    localName,
    log,
  });
  const pseudonymKeyPath = join(dataDir, 'pseudonym.key');
  await loadOrCreateKey(dataDir, 'pseudonym.key');
  const jwtKey = await loadOrCreateKey(dataDir, 'jwt.key');

  // --- functions -------------------------------------------------------------------------------
  const resolveEnv = (value: EnvValue, where: string): string => {
    const ref = envReference(value, where);
    switch (ref.kind) {
      case 'literal':
        return ref.value;
      case 'bucket':
        return buckets[ref.id];
      case 'table':
        return tables[ref.id];
      case 'queue':
        return queues[ref.id].url;
      case 'deadLetterQueue':
        return queues[ref.id].dlqUrl;
      case 'topic':
        return topics.arns[ref.id];
      case 'layerFile': {
        const layer = system.layers[ref.id];
        if (!layer.sourceDir) throw new Error(`layer ${ref.id} has no source folder`);
        return resolve(layer.sourceDir, ref.file);
      }
      case 'secret':
        return `file:${pseudonymKeyPath}`;
      default:
        return unhandledEnvReference(ref);
    }
  };
  const functionEnv = {} as Record<FunctionId, Record<string, string>>;
  type Invocable = (event: unknown, context: Context) => Promise<unknown>;
  const handlers = new Map<FunctionId, Invocable>();
  for (const [id, def] of entriesOf(system.functions)) {
    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_SNS: endpoints.sqs,
      S3_FORCE_PATH_STYLE: 'true',
    };
    for (const [name, value] of Object.entries(def.environment)) {
      env[name] =
        typeof value === 'string' && options.envOverrides?.[name]
          ? options.envOverrides[name]
          : resolveEnv(value, `function ${id}, ${name}`);
    }
    functionEnv[id] = env;
    const module = (await import(pathToFileURL(resolve(def.dir, 'app.ts')).href)) as {
      createHandler?: (env: Record<string, string>) => Invocable;
    };
    if (typeof module.createHandler !== 'function')
      throw new Error(`${def.dir}/app.ts exports no createHandler`);
    handlers.set(id, module.createHandler(env));
  }

  let inFlight = 0;
  const listeners: ((r: InvocationRecord) => void)[] = [];
  const invoke = async (functionId: FunctionId, event: unknown, trigger = 'direct'): Promise<unknown> => {
    const handler = handlers.get(functionId);
    const def = system.functions[functionId];
    if (!handler) throw new Error(`no function ${functionId}`);
    const started = Date.now();
    const deadline = started + def.timeoutSeconds * 1000;
    const context = lambdaContext(functionId, def, deadline);
    inFlight++;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        handler(event, context),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new FunctionTimeoutError(`${functionId} timed out after ${def.timeoutSeconds} s`)),
            def.timeoutSeconds * 1000,
          );
        }),
      ]);
      for (const l of listeners)
        l({ functionId, trigger, ok: true, durationMs: Date.now() - started, result });
      return result;
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      for (const l of listeners)
        l({ functionId, trigger, ok: false, durationMs: Date.now() - started, error: message });
      throw error;
    } finally {
      clearTimeout(timer);
      inFlight--;
    }
  };

  // --- S3 notifications (asynchronous invocation: two retries, as Lambda does) ----------------------
  const s3Triggers = entriesOf(system.functions).flatMap(([id, def]) =>
    def.triggers.flatMap((t) => (t.type === 's3' ? [{ id, trigger: t }] : [])),
  );
  const pendingAsync = new Set<Promise<void>>();
  const onS3Event = (event: S3Event): void => {
    // s3rver hands over keys already decoded; S3 notifications carry them URL-encoded (spaces as
    // `+`), which is what the functions decode. Nothing here may throw into s3rver's request.
    try {
      for (const record of event.Records) {
        if (!record.eventName.startsWith('ObjectCreated')) continue;
        const key = record.s3.object.key;
        const encoded = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
        const delivered = { ...record, s3: { ...record.s3, object: { ...record.s3.object, key: encoded } } };
        for (const { id, trigger } of s3Triggers) {
          if (buckets[trigger.bucket] !== record.s3.bucket.name) continue;
          if (!key.startsWith(trigger.prefix) || !trigger.suffixes.some((s) => key.endsWith(s))) continue;
          const delivery = (async () => {
            for (let attempt = 0; attempt < 3; attempt++) {
              try {
                await invoke(id, { Records: [delivered] }, `s3:${key}`);
                return;
              } catch {
                log(`${id}: attempt ${attempt + 1} failed for ${key}`);
              }
            }
          })();
          pendingAsync.add(delivery);
          void delivery.finally(() => pendingAsync.delete(delivery));
        }
      }
    } catch (error) {
      log(`S3 notification not delivered: ${(error as Error).message}`);
    }
  };
  standIns.onS3Event(onS3Event);

  // --- SQS event source mappings -------------------------------------------------------------------
  let running = true;
  const pollers: Promise<void>[] = [];
  for (const [id, def] of entriesOf(system.functions)) {
    for (const trigger of def.triggers) {
      if (trigger.type !== 'sqs') continue;
      const queueUrl = queues[trigger.queue].url;
      const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${localName(trigger.queue)}`;
      for (let poller = 0; poller < (trigger.maxConcurrency ?? 1); poller++)
        pollers.push(
          (async () => {
            while (running) {
              let received: ReceiveMessageCommandOutput;
              try {
                received = await sqs.send(
                  new ReceiveMessageCommand({
                    QueueUrl: queueUrl,
                    MaxNumberOfMessages: trigger.batchSize,
                    WaitTimeSeconds: 1,
                    MessageSystemAttributeNames: ['All'],
                  }),
                );
              } catch (error) {
                if (running) log(`poller ${id}: ${(error as Error).message}`);
                await new Promise((r) => setTimeout(r, 500));
                continue;
              }
              const messages = received.Messages ?? [];
              if (messages.length === 0) continue;
              const event: SQSEvent = {
                Records: messages.map((m) => ({
                  messageId: m.MessageId ?? randomUUID(),
                  receiptHandle: m.ReceiptHandle ?? '',
                  body: m.Body ?? '',
                  attributes: {
                    ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
                    SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
                    SenderId: m.Attributes?.SenderId ?? ACCOUNT,
                    ApproximateFirstReceiveTimestamp:
                      m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
                  },
                  messageAttributes: {},
                  md5OfBody: m.MD5OfBody ?? '',
                  eventSource: 'aws:sqs',
                  eventSourceARN: arn,
                  awsRegion: REGION,
                })),
              };
              let failed: Set<string>;
              try {
                const response = (await invoke(id, event, `sqs:${trigger.queue}`)) as
                  | SQSBatchResponse
                  | undefined;
                failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
              } catch {
                failed = new Set(event.Records.map((r) => r.messageId));
              }
              const done = event.Records.filter((r) => !failed.has(r.messageId));
              if (done.length > 0) {
                await sqs
                  .send(
                    new DeleteMessageBatchCommand({
                      QueueUrl: queueUrl,
                      Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
                    }),
                  )
                  .catch((error: unknown) =>
                    log(`poller ${id}: could not delete processed messages: ${(error as Error).message}`),
                  );
              }
              for (const r of event.Records.filter((rec) => failed.has(rec.messageId))) {
                await sqs
                  .send(
                    new ChangeMessageVisibilityCommand({
                      QueueUrl: queueUrl,
                      ReceiptHandle: r.receiptHandle,
                      VisibilityTimeout: options.retryDelaySeconds ?? 2,
                    }),
                  )
                  .catch(() => undefined);
              }
            }
          })(),
        );
    }
  }

  // --- schedules -------------------------------------------------------------------------------------
  const timers: NodeJS.Timeout[] = [];
  const scheduledEvent = (id: FunctionId, at = new Date()) => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: at.toISOString(),
    region: REGION,
    resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/${localName(id)}-schedule`],
    detail: {},
  });
  for (const [id, def] of entriesOf(system.functions)) {
    for (const trigger of def.triggers) {
      if (trigger.type !== 'schedule') continue;
      timers.push(
        setInterval(() => {
          invoke(id, scheduledEvent(id), 'schedule').catch(() => undefined);
        }, trigger.everyMinutes * 60_000),
      );
    }
  }

  // --- HTTP API ----------------------------------------------------------------------------------------
  const gateway = await startHttpGateway({
    port: options.port,
    auth: options.auth ?? 'demo',
    jwtKey,
    invoke: (id, event) => invoke(id, event, 'http'),
    log,
  });

  // --- ingest a previous process left half-done (its in-memory queues are gone) ----------------
  let recovered: string[] = [];
  try {
    recovered = await recoverInterruptedIngest({
      s3,
      dynamodb,
      sqs,
      rawBucket: buckets.raw,
      workBucket: buckets.work,
      runsTable: tables.ingestRuns,
      tasksQueueUrl: queues.ingestTasks.url,
      redeliver: (key) =>
        onS3Event({
          Records: [
            {
              eventName: 'ObjectCreated:Put',
              s3: { bucket: { name: buckets.raw }, object: { key } },
            } as S3Event['Records'][number],
          ],
        }),
      log,
    });
  } catch (error) {
    log(`no se pudo revisar las ingestas interrumpidas: ${(error as Error).message}`);
  }

  const queueDepth = async (): Promise<number> => {
    let total = 0;
    for (const q of Object.values(queues)) {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: q.url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      total += Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
      total += Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
    return total;
  };

  return {
    apiUrl: gateway.url,
    endpoints,
    names: { buckets, tables, queues, topics: topics.arns },
    clients: { s3, dynamodb, sqs },
    recovered,
    functionEnv,
    jwtKey,
    invoke,
    async whenIdle(timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      let quietChecks = 0;
      while (quietChecks < 2) {
        if (Date.now() > until) throw new Error(`the local system did not settle within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 250));
        const busy =
          inFlight > 0 || pendingAsync.size > 0 || (await queueDepth()) > 0 || (await topics.pending()) > 0;
        quietChecks = busy ? 0 : quietChecks + 1;
      }
    },
    runSchedule: (id, at) => invoke(id, scheduledEvent(id, at), 'schedule'),
    delivered: (topic) => topics.delivered(topic),
    dynamodbUsage: () => standIns.dynamodbUsage(),
    onInvocation(listener) {
      listeners.push(listener);
    },
    async stop() {
      running = false;
      for (const t of timers) clearInterval(t);
      await gateway.close();
      await Promise.allSettled(pollers);
      await Promise.allSettled([...pendingAsync]);
      await topics.stop();
      await standIns.stop();
      await unlockState();
    },
  };
}

function lambdaContext(functionId: FunctionId, def: FunctionDef, deadline: number): Context {
  const name = localName(functionId);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    memoryLimitInMB: String(def.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

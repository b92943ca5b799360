/**
 * The vocabulary of a system definition: what a bucket, table, queue, topic, layer, function, trigger and
 * grant are, in plain data. `infra/system.ts` is SAN's definition in these terms; the CDK stack,
 * the local runtime and `validate-system.ts` read both.
 */
import type { HttpMethod, RouteDef } from '../functions/shared/api/route';

export type { HttpMethod };

export type BucketId = 'raw' | 'work' | 'curated' | 'snapshots' | 'models';
export type TableId =
  | 'roster'
  | 'alerts'
  | 'identities'
  | 'accessLog'
  | 'ingestRuns'
  | 'idempotency'
  | 'models'
  | 'cases'
  | 'intakeDecisions'
  | 'caseloads'
  | 'notifications'
  | 'openAlerts';
export type QueueId = 'ingestTasks' | 'scoreRequests' | 'alerts';
export type TopicId = 'notifications';
export type LayerId = 'onnxruntime' | 'model';
export type FunctionId =
  | 'ingest'
  | 'ingestWorker'
  | 'ingestWatchdog'
  | 'score'
  | 'alertsIntake'
  | 'alertsConsumer'
  | 'alertsApi'
  | 'rosterApi'
  | 'casesApi'
  | 'identityApi'
  | 'accessLogApi'
  | 'rosterSnapshot'
  | 'qualityApi'
  | 'driftApi'
  | 'modelsApi'
  | 'cutsApi'
  | 'apiDocument'
  | 'alertsEscalation'
  | 'alertsIdentification';

export interface BucketDef {
  readonly description: string;
  /** Days after which objects move to infrequent access in the cloud; absent = never. */
  readonly infrequentAccessAfterDays?: number;
  /** Days after which objects are deleted; absent = kept. */
  readonly expireAfterDays?: number;
}

export interface KeyDef {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDef {
  readonly name: string;
  readonly partitionKey: KeyDef;
  readonly sortKey: KeyDef;
  /**
   * Attributes copied into the index besides the table's and the index's keys; an empty list
   * copies the keys only. @default every attribute
   */
  readonly nonKeyAttributes?: readonly string[];
}

export interface TableDef {
  readonly description: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly indexes: readonly IndexDef[];
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  readonly timeToLiveAttribute?: string;
  /**
   * Writes per second the on-demand table serves from the start (pre-warmed: the increase is
   * charged once). @default DynamoDB's 4,000 for a new on-demand table
   */
  readonly warmWritesPerSecond?: number;
}

export interface QueueDef {
  readonly description: string;
  /** Must be at least the consuming function's timeout (AWS recommends six times it). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the queue's dead-letter queue. */
  readonly maxReceiveCount: number;
  /**
   * Systems outside the stack allowed to send to the queue, per deployment: the CDK context key
   * that lists them (`[{ "institution": "...", "principalArn": "arn:aws:iam::…" }]`), each granted
   * `sqs:SendMessage` by the queue's policy and the data key's use through SQS. Locally, anyone
   * with the local endpoint may send.
   */
  readonly externalSenders?: { readonly contextKey: string; readonly description: string };
}

export interface TopicDef {
  readonly description: string;
}

export interface LayerDef {
  readonly description: string;
  /** `node-modules`: packages under /opt/nodejs/node_modules; `files`: plain files under /opt/<mount>. */
  readonly kind: 'node-modules' | 'files';
  readonly packages?: readonly string[];
  /** Folder (relative to the repository root) whose files the layer carries. */
  readonly sourceDir?: string;
  readonly mount?: string;
}

/** A value for a function's environment: a literal or a reference resolved per runtime. */
export type EnvValue =
  | string
  | { readonly bucket: BucketId }
  | { readonly table: TableId }
  | { readonly queue: QueueId }
  /** The dead-letter queue of a queue, for a consumer that sets aside a message it can never process, with the reason. */
  | { readonly deadLetterQueue: QueueId }
  | { readonly topic: TopicId }
  | { readonly layerFile: LayerId; readonly file: string }
  | { readonly secret: 'pseudonymKey' };

export type Trigger =
  | {
      readonly type: 's3';
      readonly bucket: BucketId;
      readonly prefix: string;
      readonly suffixes: readonly string[];
    }
  | {
      readonly type: 'sqs';
      readonly queue: QueueId;
      readonly batchSize: number;
      readonly maxBatchingWindowSeconds: number;
      /**
       * Batches processed at once: the event source's maximum concurrency in the cloud (2 to 1,000),
       * the number of local pollers. @default unbounded in the cloud, one poller locally
       */
      readonly maxConcurrency?: number;
    }
  | {
      readonly type: 'http';
      /** Entries of the features' route tables; a `public` one is served without a token. */
      readonly routes: readonly RouteDef[];
    }
  | { readonly type: 'schedule'; readonly everyMinutes: number };

export interface AccessDef {
  /** `put` writes objects; `readPut` reads and writes; neither may delete. */
  readonly buckets?: Partial<Record<BucketId, 'read' | 'put' | 'readPut'>>;
  readonly tables?: Partial<Record<TableId, 'read' | 'write' | 'readWrite'>>;
  readonly queues?: Partial<Record<QueueId, 'send'>>;
  readonly deadLetterQueues?: Partial<Record<QueueId, 'send'>>;
  readonly topics?: Partial<Record<TopicId, 'publish'>>;
  readonly secrets?: readonly 'pseudonymKey'[];
}

export interface FunctionDef {
  readonly description: string;
  /** Folder holding `index.ts` (the Lambda entry) and `app.ts` (the factory `createHandler(env)`). */
  readonly dir: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly layers: readonly LayerId[];
  readonly environment: Readonly<Record<string, EnvValue>>;
  readonly access: AccessDef;
  readonly triggers: readonly Trigger[];
}

/**
 * A CloudWatch alarm on one of the metrics the functions count (`METRIC` in
 * `functions/shared/adapters/observability.ts`), in the `SAN` namespace, for one value of its dimension.
 */
export interface AlarmDef {
  readonly description: string;
  readonly metric: string;
  readonly dimension: { readonly name: string; readonly value: string };
  /** The alarm fires when the metric's sum over a period reaches this. */
  readonly threshold: number;
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
}

export interface SecretDef {
  readonly description: string;
}

export interface SystemDef {
  readonly name: string;
  readonly buckets: Readonly<Record<BucketId, BucketDef>>;
  readonly tables: Readonly<Record<TableId, TableDef>>;
  readonly queues: Readonly<Record<QueueId, QueueDef>>;
  /** Notification topics: SNS in the cloud, fauxqs's SNS locally (each published message is logged). */
  readonly topics: Readonly<Record<TopicId, TopicDef>>;
  readonly layers: Readonly<Record<LayerId, LayerDef>>;
  readonly secrets: Readonly<Record<'pseudonymKey', SecretDef>>;
  readonly functions: Readonly<Record<FunctionId, FunctionDef>>;
  readonly alarms: Readonly<Record<string, AlarmDef>>;
}

/** Typed `Object.entries` for the records above. */
export function entriesOf<K extends string, V>(record: Readonly<Record<K, V>>): [K, V][] {
  return Object.entries(record) as [K, V][];
}

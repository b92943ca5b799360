/**
 * The one definition of the SAN system: buckets, tables, queues, layers, functions and their
 * triggers. Both the CDK stack (`infra/san-stack.ts`) and the local runtime (`local/runtime.ts`)
 * read this file; neither keeps a list of its own. Plain data only: no CDK or SDK imports. HTTP
 * routes are the features' route tables (`functions/<feature>/api/routes.ts`), which carry their
 * method, path and who may call them along with their schemas.
 */
import { ALERT_ROUTES, createAlertRoute } from '../functions/alerts/api/routes';
import { CASE_ROUTES } from '../functions/cases/api/routes';
import {
  familyAccessReportRoute,
  getAccessLogRoute,
  getIdentityRoute,
} from '../functions/identity/api/routes';
import { cutStatusRoute } from '../functions/ingest/api/routes';
import { MODELS_ROUTES } from '../functions/models/api/routes';
import { openApiRoute } from '../functions/openapi/api/routes';
import { QUALITY_ROUTES } from '../functions/quality/api/routes';
import { ROSTER_ROUTES } from '../functions/roster/api/routes';
import { SCORE_ROUTES } from '../functions/score/api/routes';
import type {
  AccessDef,
  AlarmDef,
  BucketDef,
  BucketId,
  EnvValue,
  FunctionDef,
  FunctionId,
  HttpMethod,
  IndexDef,
  KeyDef,
  LayerDef,
  LayerId,
  QueueDef,
  QueueId,
  SecretDef,
  SystemDef,
  TableDef,
  TableId,
  TopicDef,
  TopicId,
  Trigger,
} from './system-def';

export { entriesOf } from './system-def';
export type {
  AccessDef,
  AlarmDef,
  BucketDef,
  BucketId,
  EnvValue,
  FunctionDef,
  FunctionId,
  HttpMethod,
  IndexDef,
  KeyDef,
  LayerDef,
  LayerId,
  QueueDef,
  QueueId,
  SecretDef,
  SystemDef,
  TableDef,
  TableId,
  TopicDef,
  TopicId,
  Trigger,
};

/** Extracts are uploaded under this prefix as `extracts/<cut>/<source>.csv[.gz]`. */
export const EXTRACTS_PREFIX = 'extracts/';

const ALERTS_QUEUE: QueueDef = {
  description:
    'Alerts accepted over HTTP or sent straight by institutions (one message schema), awaiting matching and prioritisation',
  visibilityTimeoutSeconds: 6 * 30,
  maxReceiveCount: 3,
  externalSenders: {
    contextKey: 'san:alertSenders',
    description:
      'Institution systems (a school system, a health service) that write alerts straight to the queue',
  },
};

const INGEST_TASKS_QUEUE: QueueDef = {
  description: 'Chunk, reduce, finalize and publish tasks of ingest runs',
  visibilityTimeoutSeconds: 6 * 300,
  maxReceiveCount: 3,
};

/**
 * Minutes without progress (the run record's `updatedAt` not moving) after which an ingest run
 * still processing or publishing counts as stalled and is ended as failed in processing. A healthy
 * run can stand still for as long as its slowest task takes to be retried to its end: each receive
 * of a task may hold the message until the visibility timeout, so up to
 * visibilityTimeout × maxReceiveCount (90 minutes); half an hour more of margin on top.
 */
export const INGEST_STALL_MINUTES =
  (INGEST_TASKS_QUEUE.visibilityTimeoutSeconds * INGEST_TASKS_QUEUE.maxReceiveCount) / 60 + 30;

/**
 * Planner and worker share one environment and one set of grants. The functions learn the extracts
 * prefix, the task queue's receive limit and the stall threshold from here, never by importing this file.
 */
const INGEST_ENVIRONMENT: Readonly<Record<string, EnvValue>> = {
  RAW_BUCKET: { bucket: 'raw' },
  WORK_BUCKET: { bucket: 'work' },
  CURATED_BUCKET: { bucket: 'curated' },
  IDENTITIES_TABLE: { table: 'identities' },
  INGEST_RUNS_TABLE: { table: 'ingestRuns' },
  INGEST_TASKS_QUEUE_URL: { queue: 'ingestTasks' },
  SCORE_REQUESTS_QUEUE_URL: { queue: 'scoreRequests' },
  PSEUDONYM_KEY_SOURCE: { secret: 'pseudonymKey' },
  INGEST_CHUNK_BYTES: String(32 * 1024 ** 2),
  INGEST_REDUCE_BYTES: String(64 * 1024 ** 2),
  INGEST_MAX_FIELD_CHARS: '4096',
  INGEST_MAX_RECORD_BYTES: String(1024 ** 2),
  INGEST_MAX_DECOMPRESSED_BYTES: String(8 * 1024 ** 3),
  INGEST_STALL_MINUTES: String(INGEST_STALL_MINUTES),
  INGEST_EXTRACTS_PREFIX: EXTRACTS_PREFIX,
  INGEST_TASKS_MAX_RECEIVES: String(INGEST_TASKS_QUEUE.maxReceiveCount),
};

const INGEST_ACCESS: AccessDef = {
  buckets: { raw: 'readPut', work: 'readPut', curated: 'readPut' },
  tables: { identities: 'write', ingestRuns: 'readWrite' },
  queues: { ingestTasks: 'send', scoreRequests: 'send' },
  secrets: ['pseudonymKey'],
};

export const system: SystemDef = {
  name: 'san',
  buckets: {
    raw: {
      description: 'Monthly administrative extracts as uploaded, with ingest reports and quarantined rows',
    },
    work: {
      description:
        'Working objects of ingest runs (plans, chunks, shuffled rows, statistics); expire after a week',
      expireAfterDays: 7,
    },
    curated: {
      description: 'Validated, pseudonymised records partitioned by cut, source, run and comuna',
      infrequentAccessAfterDays: 90,
    },
    snapshots: {
      description: 'Scheduled roster snapshots read by the dashboards',
      infrequentAccessAfterDays: 90,
    },
    models: {
      description:
        "The model registry's files (one per registered version), the shadow reports of the candidate per cut and comuna, and a marker per comuna and cut scored",
    },
  },
  tables: {
    roster: {
      description:
        'Nómina priorizada: one item per child per comuna, with score, ventile, reasons and alerts',
      partitionKey: { name: 'comuna', type: 'S' },
      sortKey: { name: 'childId', type: 'S' },
      indexes: [
        {
          name: 'byScore',
          partitionKey: { name: 'comuna', type: 'S' },
          sortKey: { name: 'scoreKey', type: 'S' },
        },
        {
          name: 'byAlert',
          partitionKey: { name: 'comuna', type: 'S' },
          sortKey: { name: 'alertKey', type: 'S' },
        },
        {
          // Which comunas' rosters hold a child: alerts go to the OLN of the comuna it is registered in.
          name: 'byChild',
          partitionKey: { name: 'childId', type: 'S' },
          sortKey: { name: 'comuna', type: 'S' },
          nonKeyAttributes: ['provisional', 'cut'],
        },
      ],
    },
    alerts: {
      description:
        'Alerts raised by sectorialistas, with their state, the comuna that handles them and the one they were raised in',
      partitionKey: { name: 'alertId', type: 'S' },
      indexes: [
        {
          name: 'byChild',
          partitionKey: { name: 'childId', type: 'S' },
          sortKey: { name: 'receivedAt', type: 'S' },
        },
        {
          // The alerts a comuna's OLN handles, oldest first: its worklist by state, risk factor and age.
          name: 'byComuna',
          partitionKey: { name: 'comuna', type: 'S' },
          sortKey: { name: 'receivedAt', type: 'S' },
        },
        {
          // Sparse: only urgent alerts no one at the OLN has acted on yet, for their escalation.
          name: 'byAwaitingAck',
          partitionKey: { name: 'awaitingAck', type: 'S' },
          sortKey: { name: 'receivedAt', type: 'S' },
        },
        {
          // Sparse: alerts of a child known only from an alert without RUN, until it is identified.
          name: 'byAwaitingIdentity',
          partitionKey: { name: 'awaitingIdentity', type: 'S' },
          sortKey: { name: 'receivedAt', type: 'S' },
        },
      ],
    },
    openAlerts: {
      description:
        'Which alert is the open one of a child for a risk factor: claimed by one conditional write when the alert is filed and given up when it closes, so that reports filed at once by concurrent consumers are one alert and its repeats',
      partitionKey: { name: 'openKey', type: 'S' },
      indexes: [],
    },
    notifications: {
      description:
        "Notices to people (an urgent alert for the comuna's coordinador, its escalation to the coordinador regional), newest first per comuna, as published to the notifications topic",
      partitionKey: { name: 'comuna', type: 'S' },
      sortKey: { name: 'sortKey', type: 'S' },
      indexes: [],
    },
    identities: {
      description:
        'Personal data (RUN, names, address) keyed by pseudonym, one item per source that names the child; reached only by authorised roles',
      partitionKey: { name: 'childId', type: 'S' },
      // Each source keeps its own item: a later extract with the RUN alone must not erase the
      // names and address the social registry gave.
      sortKey: { name: 'source', type: 'S' },
      indexes: [
        {
          // Sparse: records with a paternal surname and a birth date, by comuna and the surname's
          // sound key (`identity/domain/matching.ts`), to find a child an alert names without RUN.
          name: 'byMatchBlock',
          partitionKey: { name: 'matchBlock', type: 'S' },
          sortKey: { name: 'birthDate', type: 'S' },
          nonKeyAttributes: ['givenNames', 'paternalSurname', 'maternalSurname', 'run'],
        },
      ],
      // A national registry extract writes some 4.3 million identities in the few minutes its publish
      // tasks run side by side: at the default 4,000 writes/s that takes ~18 minutes of throttling,
      // at 40,000 (a table's default quota) under two. Each conditional PutItem costs one write unit
      // whether it writes or is refused for an older cut, as a batched write did.
      warmWritesPerSecond: 40_000,
    },
    accessLog: {
      description:
        'Audit trail of every request for personal data: who, role, comuna, child, purpose and outcome; append-only',
      partitionKey: { name: 'childId', type: 'S' },
      sortKey: { name: 'at', type: 'S' },
      indexes: [
        {
          name: 'bySubject',
          partitionKey: { name: 'subject', type: 'S' },
          sortKey: { name: 'at', type: 'S' },
        },
      ],
    },
    ingestRuns: {
      description: 'Progress and report of each ingest run (one uploaded file content)',
      partitionKey: { name: 'runId', type: 'S' },
      indexes: [
        {
          name: 'byCut',
          partitionKey: { name: 'cut', type: 'S' },
          sortKey: { name: 'createdAt', type: 'S' },
        },
        // Runs by status, oldest progress first: the watchdog reads only the `processing` and
        // `publishing` partitions, and only their items older than the stall threshold.
        {
          name: 'byStatus',
          partitionKey: { name: 'status', type: 'S' },
          sortKey: { name: 'updatedAt', type: 'S' },
        },
      ],
    },
    idempotency: {
      description:
        'Idempotency-Key records of HTTP requests (Powertools Idempotency): in progress, then the answer; hashed keys, no personal data',
      // The names Powertools' DynamoDB persistence layer uses by default.
      partitionKey: { name: 'id', type: 'S' },
      indexes: [],
      timeToLiveAttribute: 'expiration',
    },
    models: {
      description:
        'The model registry: every registered version with its state and the history of its transitions (who, when, why), one item written over the revision it read',
      partitionKey: { name: 'id', type: 'S' },
      indexes: [],
    },
    cases: {
      description:
        'OLN cases: one item per case with its workflow state and history, workers, consents, NCFAS, PAF, sessions, agreements and referrals, written over the version it read',
      partitionKey: { name: 'caseId', type: 'S' },
      indexes: [
        {
          name: 'byComuna',
          partitionKey: { name: 'comuna', type: 'S' },
          sortKey: { name: 'openedAt', type: 'S' },
        },
        {
          name: 'byChild',
          partitionKey: { name: 'childId', type: 'S' },
          sortKey: { name: 'openedAt', type: 'S' },
          nonKeyAttributes: ['comuna', 'state', 'gestor', 'terapeuta'],
        },
        // Sparse: only cases on a waiting list of their comuna carry `waitingComuna`.
        {
          name: 'byWaiting',
          partitionKey: { name: 'waitingComuna', type: 'S' },
          sortKey: { name: 'openedAt', type: 'S' },
        },
      ],
    },
    intakeDecisions: {
      description:
        "The coordinador's decisions on nómina entries (accept or discard, with reason and note), each recorded against the score, ventile and model the child had; one per child and entry into the nómina",
      partitionKey: { name: 'comuna', type: 'S' },
      sortKey: { name: 'entryKey', type: 'S' },
      indexes: [],
    },
    caseloads: {
      description:
        "Each gestor's and terapeuta's caseload per comuna (cases and families), whose places are taken and given back by conditional writes so the caps hold",
      partitionKey: { name: 'comuna', type: 'S' },
      sortKey: { name: 'worker', type: 'S' },
      indexes: [],
    },
  },
  queues: {
    ingestTasks: INGEST_TASKS_QUEUE,
    scoreRequests: {
      description: 'One message per (cut, comuna) whose curated data changed and must be rescored',
      visibilityTimeoutSeconds: 6 * 300,
      maxReceiveCount: 3,
    },
    alerts: ALERTS_QUEUE,
  },
  topics: {
    notifications: {
      description:
        "Urgent alerts for the comuna's coordinador and their escalation to the coordinador regional; messages carry the attributes comuna, region, audience and kind for subscription filters",
    },
  },
  layers: {
    onnxruntime: {
      description: 'onnxruntime-node with its linux-x64 CPU binaries only',
      kind: 'node-modules',
      packages: ['onnxruntime-node', 'onnxruntime-common'],
    },
    model: {
      description: 'The risk model exported to ONNX by `npm run train`',
      kind: 'files',
      sourceDir: 'layers/model',
      mount: 'model',
    },
  },
  secrets: {
    pseudonymKey: { description: 'HMAC key that turns a RUN into the pseudonym used everywhere else' },
  },
  functions: {
    ingest: {
      description:
        'Plans the ingest of an uploaded extract: checks its header, splits it into chunks, queues their tasks',
      dir: 'functions/ingest/planner',
      memoryMb: 1024,
      timeoutSeconds: 900,
      layers: [],
      environment: INGEST_ENVIRONMENT,
      access: INGEST_ACCESS,
      triggers: [{ type: 's3', bucket: 'raw', prefix: EXTRACTS_PREFIX, suffixes: ['.csv', '.csv.gz'] }],
    },
    ingestWorker: {
      description:
        'Runs ingest tasks: validates and pseudonymises chunks, removes duplicates, writes curated data and, once a run is accepted, its identities',
      dir: 'functions/ingest/worker',
      memoryMb: 1536,
      timeoutSeconds: 300,
      layers: [],
      environment: INGEST_ENVIRONMENT,
      access: INGEST_ACCESS,
      triggers: [{ type: 'sqs', queue: 'ingestTasks', batchSize: 1, maxBatchingWindowSeconds: 0 }],
    },
    ingestWatchdog: {
      description:
        'Ends ingest runs that stopped progressing as failed in processing, with their report, so the file can be retried',
      dir: 'functions/ingest/watchdog',
      memoryMb: 512,
      timeoutSeconds: 60,
      layers: [],
      environment: {
        INGEST_RUNS_TABLE: { table: 'ingestRuns' },
        RAW_BUCKET: { bucket: 'raw' },
        INGEST_STALL_MINUTES: String(INGEST_STALL_MINUTES),
      },
      access: { tables: { ingestRuns: 'readWrite' }, buckets: { raw: 'put' } },
      triggers: [{ type: 'schedule', everyMinutes: 10 }],
    },
    score: {
      description: 'Computes indicators for a comuna, scores them with the ONNX model and updates the roster',
      dir: 'functions/score/worker',
      memoryMb: 2048,
      timeoutSeconds: 300,
      layers: ['onnxruntime', 'model'],
      environment: {
        CURATED_BUCKET: { bucket: 'curated' },
        ROSTER_TABLE: { table: 'roster' },
        MODEL_PATH: { layerFile: 'model', file: 'risk-model.onnx' },
        MODELS_BUCKET: { bucket: 'models' },
        MODELS_TABLE: { table: 'models' },
      },
      // Writes only the drift reports (`drift/`) in the curated bucket; in the models bucket, the
      // layer's file at the bootstrap, shadow reports and scored markers; the registry only at the bootstrap.
      access: {
        buckets: { curated: 'readPut', models: 'readPut' },
        tables: { roster: 'readWrite', models: 'readWrite' },
      },
      triggers: [{ type: 'sqs', queue: 'scoreRequests', batchSize: 1, maxBatchingWindowSeconds: 0 }],
    },
    alertsIntake: {
      description: 'Accepts alerts over HTTP and queues them in the message schema institutions write',
      dir: 'functions/alerts/intake',
      memoryMb: 512,
      timeoutSeconds: 10,
      layers: [],
      environment: {
        ALERTS_QUEUE_URL: { queue: 'alerts' },
        PSEUDONYM_KEY_SOURCE: { secret: 'pseudonymKey' },
        IDEMPOTENCY_TABLE: { table: 'idempotency' },
        IDEMPOTENCY_EXPIRY_SECONDS: String(24 * 3600),
      },
      access: {
        queues: { alerts: 'send' },
        tables: { idempotency: 'readWrite' },
        secrets: ['pseudonymKey'],
      },
      triggers: [{ type: 'http', routes: [createAlertRoute] }],
    },
    alertsConsumer: {
      description:
        "Finds each queued alert's child (RUN, else names and birth date, else a provisional child), deduplicates, sends it to the roster of the child's comuna and moves the child up it",
      dir: 'functions/alerts/consumer',
      memoryMb: 512,
      timeoutSeconds: 30,
      layers: [],
      environment: {
        ALERTS_TABLE: { table: 'alerts' },
        OPEN_ALERTS_TABLE: { table: 'openAlerts' },
        ROSTER_TABLE: { table: 'roster' },
        NOTIFICATIONS_TABLE: { table: 'notifications' },
        NOTIFICATIONS_TOPIC_ARN: { topic: 'notifications' },
        // A message it can never process goes to the dead-letter queue with the reason.
        ALERTS_DLQ_URL: { deadLetterQueue: 'alerts' },
        ALERTS_MAX_RECEIVES: String(ALERTS_QUEUE.maxReceiveCount),
        IDENTITIES_TABLE: { table: 'identities' },
        PSEUDONYM_KEY_SOURCE: { secret: 'pseudonymKey' },
      },
      access: {
        tables: {
          alerts: 'readWrite',
          openAlerts: 'readWrite',
          roster: 'readWrite',
          notifications: 'readWrite',
          identities: 'readWrite',
        },
        topics: { notifications: 'publish' },
        deadLetterQueues: { alerts: 'send' },
        secrets: ['pseudonymKey'],
      },
      // Five batches at once: what Lambda's SQS pollers start with, so that a burst does not queue up.
      triggers: [
        { type: 'sqs', queue: 'alerts', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 5 },
      ],
    },
    alertsEscalation: {
      description:
        'Escalates to the coordinador regional every urgent alert no one at the OLN has acted on within the configured hours',
      dir: 'functions/alerts/escalation',
      memoryMb: 512,
      timeoutSeconds: 60,
      layers: [],
      environment: {
        ALERTS_TABLE: { table: 'alerts' },
        NOTIFICATIONS_TABLE: { table: 'notifications' },
        NOTIFICATIONS_TOPIC_ARN: { topic: 'notifications' },
        // Configuration, not code: hours an urgent alert may wait unacknowledged before it escalates.
        ESCALATE_URGENT_AFTER_HOURS: '24',
      },
      access: {
        tables: { alerts: 'readWrite', notifications: 'readWrite' },
        topics: { notifications: 'publish' },
      },
      triggers: [{ type: 'schedule', everyMinutes: 15 }],
    },
    alertsIdentification: {
      description:
        'Looks again for each provisional child (an alert named it without RUN) among the children known by RUN: merges one a later ingest brought, shows the candidates of the others',
      dir: 'functions/alerts/identification',
      memoryMb: 512,
      timeoutSeconds: 300,
      layers: [],
      environment: {
        ALERTS_TABLE: { table: 'alerts' },
        OPEN_ALERTS_TABLE: { table: 'openAlerts' },
        ROSTER_TABLE: { table: 'roster' },
        IDENTITIES_TABLE: { table: 'identities' },
        CASES_TABLE: { table: 'cases' },
      },
      access: {
        tables: {
          alerts: 'readWrite',
          openAlerts: 'readWrite',
          roster: 'readWrite',
          identities: 'readWrite',
          cases: 'read',
        },
      },
      // Hourly: a monthly cut's identities are published once; an hour later its children are found.
      triggers: [{ type: 'schedule', everyMinutes: 60 }],
    },
    alertsApi: {
      description:
        "Tells the reporter of an alert, and the OLN, regional and central roles of its comunas, where it went and its state; lists a comuna's alerts and moves them through their life cycle, projected onto the nómina",
      dir: 'functions/alerts/api',
      memoryMb: 512,
      timeoutSeconds: 10,
      layers: [],
      environment: {
        ALERTS_TABLE: { table: 'alerts' },
        OPEN_ALERTS_TABLE: { table: 'openAlerts' },
        ROSTER_TABLE: { table: 'roster' },
        CASES_TABLE: { table: 'cases' },
        NOTIFICATIONS_TABLE: { table: 'notifications' },
        IDENTITIES_TABLE: { table: 'identities' },
      },
      access: {
        tables: {
          alerts: 'readWrite',
          openAlerts: 'readWrite',
          roster: 'readWrite',
          cases: 'read',
          notifications: 'read',
          identities: 'readWrite',
        },
      },
      triggers: [{ type: 'http', routes: ALERT_ROUTES }],
    },
    rosterApi: {
      description: 'Serves the nómina per comuna and the detail of a roster entry',
      dir: 'functions/roster/api',
      memoryMb: 512,
      timeoutSeconds: 10,
      layers: [],
      environment: { ROSTER_TABLE: { table: 'roster' } },
      access: { tables: { roster: 'read' } },
      triggers: [{ type: 'http', routes: ROSTER_ROUTES }],
    },
    casesApi: {
      description:
        "The OLN's case management: the intake queue and decisions, cases through their workflow, assignment under the caseload caps with the waiting list, consent, NCFAS, PAF, sessions, mesa de casos agreements and referrals",
      dir: 'functions/cases/api',
      memoryMb: 1024,
      timeoutSeconds: 15,
      layers: [],
      environment: {
        ROSTER_TABLE: { table: 'roster' },
        CASES_TABLE: { table: 'cases' },
        CASELOADS_TABLE: { table: 'caseloads' },
        INTAKE_TABLE: { table: 'intakeDecisions' },
        CURATED_BUCKET: { bucket: 'curated' },
      },
      // The roster: read, and each case projected onto its child's entry.
      access: {
        tables: {
          roster: 'readWrite',
          cases: 'readWrite',
          caseloads: 'readWrite',
          intakeDecisions: 'readWrite',
        },
        buckets: { curated: 'read' },
      },
      triggers: [{ type: 'http', routes: CASE_ROUTES }],
    },
    identityApi: {
      description:
        "Answers a child's RUN, names and address to an OLN role of its comuna (a gestor or terapeuta only for a child of a case assigned to them), logging every request",
      dir: 'functions/identity/api',
      memoryMb: 512,
      timeoutSeconds: 10,
      layers: [],
      environment: {
        ROSTER_TABLE: { table: 'roster' },
        IDENTITIES_TABLE: { table: 'identities' },
        ACCESS_LOG_TABLE: { table: 'accessLog' },
        CASES_TABLE: { table: 'cases' },
      },
      access: { tables: { roster: 'read', identities: 'read', accessLog: 'write', cases: 'read' } },
      triggers: [{ type: 'http', routes: [getIdentityRoute] }],
    },
    accessLogApi: {
      description:
        "Reads the access log of personal data, one child's or one user's, for an audit or a family's data-subject request (administrador_central)",
      dir: 'functions/identity/audit',
      memoryMb: 512,
      timeoutSeconds: 10,
      layers: [],
      environment: {
        ACCESS_LOG_TABLE: { table: 'accessLog' },
        // To turn the family's RUNs into the pseudonyms the log is kept under.
        PSEUDONYM_KEY_SOURCE: { secret: 'pseudonymKey' },
      },
      access: { tables: { accessLog: 'read' }, secrets: ['pseudonymKey'] },
      triggers: [{ type: 'http', routes: [getAccessLogRoute, familyAccessReportRoute] }],
    },
    qualityApi: {
      description: 'Serves the data-quality index (ICI) of each cut and source, monthly and cumulative',
      dir: 'functions/quality/api',
      memoryMb: 512,
      timeoutSeconds: 10,
      layers: [],
      environment: { CURATED_BUCKET: { bucket: 'curated' } },
      access: { buckets: { curated: 'read' } },
      triggers: [{ type: 'http', routes: QUALITY_ROUTES }],
    },
    driftApi: {
      description: "Serves the model's drift report of a comuna and cut, written by scoring",
      dir: 'functions/score/api',
      memoryMb: 512,
      timeoutSeconds: 10,
      layers: [],
      environment: { CURATED_BUCKET: { bucket: 'curated' } },
      access: { buckets: { curated: 'read' } },
      triggers: [{ type: 'http', routes: SCORE_ROUTES }],
    },
    modelsApi: {
      description:
        'The model registry over HTTP: lists versions and shadow reports; registers, shadows, approves, promotes and rolls back versions',
      dir: 'functions/models/api',
      memoryMb: 512,
      timeoutSeconds: 30,
      layers: [],
      environment: {
        MODELS_BUCKET: { bucket: 'models' },
        MODELS_TABLE: { table: 'models' },
        SCORE_REQUESTS_QUEUE_URL: { queue: 'scoreRequests' },
        IDEMPOTENCY_TABLE: { table: 'idempotency' },
        IDEMPOTENCY_EXPIRY_SECONDS: String(24 * 3600),
      },
      access: {
        buckets: { models: 'readPut' },
        tables: { models: 'readWrite', idempotency: 'readWrite' },
        queues: { scoreRequests: 'send' },
      },
      triggers: [{ type: 'http', routes: MODELS_ROUTES }],
    },
    cutsApi: {
      description: 'Serves the ingest progress and reports of the files of a cut',
      dir: 'functions/ingest/status',
      memoryMb: 512,
      timeoutSeconds: 10,
      layers: [],
      environment: { INGEST_RUNS_TABLE: { table: 'ingestRuns' } },
      access: { tables: { ingestRuns: 'read' } },
      triggers: [{ type: 'http', routes: [cutStatusRoute] }],
    },
    apiDocument: {
      description: 'Serves the OpenAPI document of the HTTP API, generated from the route tables, to anyone',
      dir: 'functions/openapi/api',
      memoryMb: 256,
      timeoutSeconds: 10,
      layers: [],
      environment: {},
      access: {},
      triggers: [{ type: 'http', routes: [openApiRoute] }],
    },
    rosterSnapshot: {
      description: 'Writes a snapshot of every comuna roster to the snapshots bucket for the dashboards',
      dir: 'functions/roster/snapshot',
      memoryMb: 1024,
      timeoutSeconds: 300,
      layers: [],
      environment: { ROSTER_TABLE: { table: 'roster' }, SNAPSHOTS_BUCKET: { bucket: 'snapshots' } },
      access: { tables: { roster: 'read' }, buckets: { snapshots: 'put' } },
      triggers: [{ type: 'schedule', everyMinutes: 24 * 60 }],
    },
  },
  alarms: {
    driftAct: {
      description:
        "A comuna's model inputs or scores moved past the act threshold (PSI ≥ 0.25) against its previous cut: the model may no longer fit it",
      metric: 'DriftFlagged',
      dimension: { name: 'level', value: 'actuar' },
      threshold: 1,
      periodMinutes: 24 * 60,
      evaluationPeriods: 1,
    },
    driftWatch: {
      description:
        "A comuna's model inputs or scores moved past the watch threshold (0.1 ≤ PSI < 0.25) against its previous cut",
      metric: 'DriftFlagged',
      dimension: { name: 'level', value: 'vigilar' },
      threshold: 1,
      periodMinutes: 24 * 60,
      evaluationPeriods: 1,
    },
  },
};

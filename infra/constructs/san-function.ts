/**
 * One Lambda function from its definition: bundled by local esbuild (no Docker), Node.js 22 on
 * x86_64, its environment resolved to the deployed resources, least-privilege grants from its
 * declared access, its own log group, tracing, and a dead-letter queue when it is invoked
 * asynchronously. Triggers other than HTTP are wired here; HTTP routes belong to the API construct.
 */
import { resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { envReference, unhandledEnvReference } from '../env-value';
import type { EnvValue, FunctionDef, LayerId, SystemDef } from '../system';
import type { DataStores } from './data-stores';

export interface SanFunctionProps {
  readonly system: SystemDef;
  readonly def: FunctionDef;
  readonly stores: DataStores;
  readonly layers: Readonly<Record<LayerId, lambda.ILayerVersion>>;
  /** Repository root (for entries and the lock file). */
  readonly root: string;
  /**
   * Days of log retention.
   * @default logs.RetentionDays.SIX_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

export class SanFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: SanFunctionProps) {
    super(scope, id);
    const { def, stores, system } = props;
    const asynchronous = def.triggers.some((t) => t.type === 's3' || t.type === 'schedule');
    if (asynchronous) {
      this.deadLetterQueue = new sqs.Queue(this, 'AsyncDlq', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: stores.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    }
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.SIX_MONTHS,
      encryptionKey: undefined,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const usesOnnx = def.layers.includes('onnxruntime');
    const environment: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    for (const [name, value] of Object.entries(def.environment))
      environment[name] = this.resolveEnv(value, props, `function ${id}, ${name}`);

    this.function = new NodejsFunction(this, 'Function', {
      description: def.description,
      entry: resolve(props.root, def.dir, 'index.ts'),
      handler: 'handler',
      projectRoot: props.root,
      depsLockFilePath: resolve(props.root, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      environment,
      layers: def.layers.map((l) => props.layers[l]),
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      ...(this.deadLetterQueue ? { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2 } : {}),
      bundling: {
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
        externalModules: ['@aws-sdk/*', ...(usesOnnx ? ['onnxruntime-node'] : [])],
      },
    });
    this.grant(props);
    for (const trigger of def.triggers) {
      if (trigger.type === 's3') {
        for (const suffix of trigger.suffixes) {
          stores.buckets[trigger.bucket].addEventNotification(
            s3.EventType.OBJECT_CREATED,
            new s3n.LambdaDestination(this.function),
            { prefix: trigger.prefix, suffix },
          );
        }
      } else if (trigger.type === 'sqs') {
        this.function.addEventSource(
          new SqsEventSource(stores.queues[trigger.queue], {
            batchSize: trigger.batchSize,
            ...(trigger.maxConcurrency !== undefined ? { maxConcurrency: trigger.maxConcurrency } : {}),
            ...(trigger.maxBatchingWindowSeconds > 0
              ? { maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds) }
              : {}),
            reportBatchItemFailures: true,
          }),
        );
      } else if (trigger.type === 'schedule') {
        new events.Rule(this, 'Schedule', {
          description: `${system.name}: ${def.description}`,
          schedule: events.Schedule.rate(Duration.minutes(trigger.everyMinutes)),
          targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
        });
      }
    }
  }

  private resolveEnv(value: EnvValue, props: SanFunctionProps, where: string): string {
    const { stores, system } = props;
    const ref = envReference(value, where);
    switch (ref.kind) {
      case 'literal':
        return ref.value;
      case 'bucket':
        return stores.buckets[ref.id].bucketName;
      case 'table':
        return stores.tables[ref.id].tableName;
      case 'queue':
        return stores.queues[ref.id].queueUrl;
      case 'deadLetterQueue':
        return stores.deadLetterQueues[ref.id].queueUrl;
      case 'topic':
        return stores.topics[ref.id].topicArn;
      case 'layerFile':
        return `/opt/${system.layers[ref.id].mount}/${ref.file}`;
      case 'secret':
        return `secretsmanager:${stores.pseudonymKey.secretArn}`;
      default:
        return unhandledEnvReference(ref);
    }
  }

  private grant(props: SanFunctionProps): void {
    const { access } = props.def;
    const { stores } = props;
    const fn = this.function;
    for (const [bucketId, mode] of Object.entries(access.buckets ?? {})) {
      const bucket = stores.buckets[bucketId as keyof typeof stores.buckets];
      if (mode === 'read' || mode === 'readPut') bucket.grantRead(fn);
      if (mode === 'put' || mode === 'readPut') bucket.grantPut(fn);
    }
    for (const [tableId, mode] of Object.entries(access.tables ?? {})) {
      const table = stores.tables[tableId as keyof typeof stores.tables];
      if (mode === 'read') table.grantReadData(fn);
      else if (mode === 'write') table.grantWriteData(fn);
      else table.grantReadWriteData(fn);
    }
    for (const queueId of Object.keys(access.queues ?? {})) {
      stores.queues[queueId as keyof typeof stores.queues].grantSendMessages(fn);
    }
    for (const queueId of Object.keys(access.deadLetterQueues ?? {})) {
      stores.deadLetterQueues[queueId as keyof typeof stores.deadLetterQueues].grantSendMessages(fn);
    }
    for (const topicId of Object.keys(access.topics ?? {})) {
      stores.topics[topicId as keyof typeof stores.topics].grantPublish(fn);
    }
    if ((access.secrets ?? []).includes('pseudonymKey')) stores.pseudonymKey.grantRead(fn);
  }
}

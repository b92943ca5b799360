/**
 * Buckets, tables, queues (each with its dead-letter queue) and the pseudonymisation secret, all
 * read from the system definition. Everything is encrypted with one customer-managed KMS key,
 * TLS-only, private, and kept when the stack is deleted: the data concerns children.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BucketId, IndexDef, QueueId, SystemDef, TableId, TopicId } from '../system';
import { entriesOf } from '../system';

export interface DataStoresProps {
  readonly system: SystemDef;
  /**
   * What happens to data on stack deletion.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** A system outside the stack allowed to send to a queue (`QueueDef.externalSenders`). */
export interface ExternalSender {
  readonly institution: string;
  readonly principalArn: string;
}

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;

/** Checks a context value listing external senders; throws a readable error naming what is wrong. */
export function checkExternalSenders(value: unknown, contextKey: string): readonly ExternalSender[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? parseJson(value, contextKey) : value;
  if (!Array.isArray(list)) {
    throw new Error(`context ${contextKey} must be a list of { institution, principalArn }`);
  }
  return list.map((entry: unknown, i) => {
    const e = entry as Partial<ExternalSender> | null;
    if (typeof e?.institution !== 'string' || e.institution.trim().length < 2) {
      throw new Error(`context ${contextKey}[${i}].institution must name the institution`);
    }
    if (typeof e.principalArn !== 'string' || !PRINCIPAL_ARN.test(e.principalArn)) {
      throw new Error(
        `context ${contextKey}[${i}].principalArn must be an IAM role, user or account root ARN (arn:aws:iam::<account>:role/<name>)`,
      );
    }
    return { institution: e.institution, principalArn: e.principalArn };
  });
}

function parseJson(text: string, contextKey: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`context ${contextKey} is not JSON`);
  }
}

export class DataStores extends Construct {
  public readonly key: kms.Key;
  public readonly accessLogs: s3.Bucket;
  public readonly buckets: Readonly<Record<BucketId, s3.Bucket>>;
  public readonly tables: Readonly<Record<TableId, dynamodb.Table>>;
  public readonly queues: Readonly<Record<QueueId, sqs.Queue>>;
  public readonly deadLetterQueues: Readonly<Record<QueueId, sqs.Queue>>;
  public readonly topics: Readonly<Record<TopicId, sns.Topic>>;
  public readonly pseudonymKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DataStoresProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'DataKey', {
      description: 'SAN data at rest: extracts, curated records, rosters, alerts, identities, queues',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });

    const buckets = {} as Record<BucketId, s3.Bucket>;
    for (const [bucketId, def] of entriesOf(props.system.buckets)) {
      buckets[bucketId] = new s3.Bucket(this, `${pascal(bucketId)}Bucket`, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${bucketId}/`,
        lifecycleRules: [
          ...(def.infrequentAccessAfterDays
            ? [
                {
                  transitions: [
                    {
                      storageClass: s3.StorageClass.INFREQUENT_ACCESS,
                      transitionAfter: Duration.days(def.infrequentAccessAfterDays),
                    },
                  ],
                },
              ]
            : []),
          ...(def.expireAfterDays
            ? [
                {
                  expiration: Duration.days(def.expireAfterDays),
                  noncurrentVersionExpiration: Duration.days(1),
                },
              ]
            : []),
        ],
        removalPolicy,
      });
    }
    this.buckets = buckets;

    const tables = {} as Record<TableId, dynamodb.Table>;
    for (const [tableId, def] of entriesOf(props.system.tables)) {
      const table = new dynamodb.Table(this, `${pascal(tableId)}Table`, {
        partitionKey: { name: def.partitionKey.name, type: attributeType(def.partitionKey.type) },
        ...(def.sortKey
          ? { sortKey: { name: def.sortKey.name, type: attributeType(def.sortKey.type) } }
          : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
        ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
        ...(def.warmWritesPerSecond
          ? { warmThroughput: { writeUnitsPerSecond: def.warmWritesPerSecond } }
          : {}),
        removalPolicy,
      });
      for (const index of def.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey.type) },
          sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey.type) },
          ...projectionOf(index),
        });
      }
      tables[tableId] = table;
    }
    this.tables = tables;

    const queues = {} as Record<QueueId, sqs.Queue>;
    const dlqs = {} as Record<QueueId, sqs.Queue>;
    for (const [queueId, def] of entriesOf(props.system.queues)) {
      dlqs[queueId] = new sqs.Queue(this, `${pascal(queueId)}Dlq`, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      queues[queueId] = new sqs.Queue(this, `${pascal(queueId)}Queue`, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlqs[queueId], maxReceiveCount: def.maxReceiveCount },
      });
      if (def.externalSenders) {
        const senders = checkExternalSenders(
          this.node.tryGetContext(def.externalSenders.contextKey),
          def.externalSenders.contextKey,
        );
        for (const sender of senders) this.allowSender(queues[queueId], sender);
      }
    }
    this.queues = queues;
    this.deadLetterQueues = dlqs;

    // Subscribers (the coordinators' e-mail or SMS, an operations tool) are added per deployment,
    // each with a filter policy on the message attributes `comuna`, `region` and `audience`.
    const topics = {} as Record<TopicId, sns.Topic>;
    for (const [topicId] of entriesOf(props.system.topics)) {
      topics[topicId] = new sns.Topic(this, `${pascal(topicId)}Topic`, {
        displayName: `SAN ${topicId}`,
        masterKey: this.key,
        enforceSSL: true,
      });
    }
    this.topics = topics;

    this.pseudonymKey = new secretsmanager.Secret(this, 'PseudonymKey', {
      description: props.system.secrets.pseudonymKey.description,
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
  }

  /** Lets `sender` write to `queue` (its policy) and encrypt with the data key, through SQS only. */
  private allowSender(queue: sqs.Queue, sender: ExternalSender): void {
    const principal = new iam.ArnPrincipal(sender.principalArn);
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `Send${pascal(sender.institution.replace(/[^A-Za-z0-9]+/g, '-'))}`.slice(0, 100),
        principals: [principal],
        actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
        resources: [queue.queueArn],
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [principal],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

/** Every attribute unless the index names the ones it carries (keys only for an empty list). */
function projectionOf(
  index: IndexDef,
): Pick<dynamodb.GlobalSecondaryIndexProps, 'projectionType' | 'nonKeyAttributes'> {
  if (index.nonKeyAttributes === undefined) return { projectionType: dynamodb.ProjectionType.ALL };
  if (index.nonKeyAttributes.length === 0) return { projectionType: dynamodb.ProjectionType.KEYS_ONLY };
  return { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.nonKeyAttributes] };
}

function attributeType(type: 'S' | 'N'): dynamodb.AttributeType {
  return type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;
}

export function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

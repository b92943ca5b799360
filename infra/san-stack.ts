/**
 * The SAN stack: data stores, layers and the feature constructs, all from `infra/system.ts`.
 */

import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DataStores } from './constructs/data-stores';
import { AlertsConsumer, IngestPipeline, SanApi, Scoring, Snapshots } from './constructs/features';
import { Layers } from './constructs/layers';
import { Monitoring } from './constructs/monitoring';
import { SanFunction } from './constructs/san-function';
import { acknowledgeNagFindings } from './nag';
import type { SystemDef } from './system';
import { entriesOf } from './system';
import { assertValidSystem } from './validate-system';

export interface SanStackProps extends StackProps {
  readonly system: SystemDef;
  /** Repository root. */
  readonly root: string;
}

export class SanStack extends Stack {
  public readonly stores: DataStores;
  public readonly layers: Layers;
  public readonly ingestPipeline: IngestPipeline;
  public readonly scoring: Scoring;
  public readonly alertsConsumer: AlertsConsumer;
  public readonly api: SanApi;
  public readonly snapshots: Snapshots;
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SanStackProps) {
    super(scope, id, props);
    assertValidSystem(props.system);
    this.stores = new DataStores(this, 'DataStores', { system: props.system });
    this.layers = new Layers(this, 'Layers', { system: props.system, root: props.root });
    const featureProps = {
      system: props.system,
      stores: this.stores,
      layers: this.layers.layers,
      root: props.root,
    };
    this.ingestPipeline = new IngestPipeline(this, 'IngestPipeline', featureProps);
    this.scoring = new Scoring(this, 'Scoring', featureProps);
    this.alertsConsumer = new AlertsConsumer(this, 'AlertsConsumer', featureProps);
    this.api = new SanApi(this, 'HttpApi', featureProps);
    this.snapshots = new Snapshots(this, 'Snapshots', featureProps);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      system: props.system,
      queues: this.stores.queues,
      deadLetterQueues: this.stores.deadLetterQueues,
      functionsScope: this,
    });

    const deployed = this.node.findAll().filter((c) => c instanceof SanFunction).length;
    const declared = Object.keys(props.system.functions).length;
    if (deployed !== declared) {
      throw new Error(
        `the system definition declares ${declared} functions but the stack deploys ${deployed}`,
      );
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint });
    new CfnOutput(this, 'RawBucket', { value: this.stores.buckets.raw.bucketName });
    new CfnOutput(this, 'SnapshotsBucket', { value: this.stores.buckets.snapshots.bucketName });
    new CfnOutput(this, 'ModelsBucket', { value: this.stores.buckets.models.bucketName });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.userPoolClient.userPoolClientId });
    // For `npm run san -- redrive <queue> --queue-url … --dlq-url …`.
    for (const [queueId, queue] of entriesOf(this.stores.queues)) {
      const name = queueId.charAt(0).toUpperCase() + queueId.slice(1);
      new CfnOutput(this, `${name}QueueUrl`, { value: queue.queueUrl });
      new CfnOutput(this, `${name}DlqUrl`, { value: this.stores.deadLetterQueues[queueId].queueUrl });
    }
    new CfnOutput(this, 'NotificationsTopicArn', { value: this.stores.topics.notifications.topicArn });
    acknowledgeNagFindings(this, this.stores, this.api.publicRoutes);
  }
}

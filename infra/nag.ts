/**
 * cdk-nag's AwsSolutions pack runs on every synth; a finding fails the synth unless acknowledged
 * here with its reason. `test/infra/nag.test.ts` holds the stack to that.
 */

import type { App, CfnElement } from 'aws-cdk-lib';
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { DataStores } from './constructs/data-stores';

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

function arnOf(resource: IConstruct): string {
  const stack = Stack.of(resource);
  return `<${stack.getLogicalId(resource.node.defaultChild as CfnElement)}.Arn>`;
}

/** Accepted findings for the whole stack, each with the reason it is accepted. */
export function acknowledgeNagFindings(
  stack: Stack,
  stores: DataStores,
  publicRoutes: readonly IConstruct[],
): void {
  const v = Validations.of(stack);
  const ack = (id: string, reason: string): void => v.acknowledge({ id, reason });
  ack(
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'Lambda execution roles use AWSLambdaBasicExecutionRole only to write their own CloudWatch logs; every data grant is a scoped inline policy.',
  );
  ack(
    'AwsSolutions-L1',
    'Functions target nodejs22.x on purpose: it is the runtime the project is built and tested for; moving to a newer runtime is a tested change.',
  );
  ack(
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource other than *.',
  );
  ack(
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    "CDK's KMS grant for writing encrypted objects, items and messages, limited to the stack's one data key.",
  );
  ack(
    'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    "CDK's KMS grant for writing encrypted objects, items and messages, limited to the stack's one data key.",
  );
  for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*']) {
    ack(
      `AwsSolutions-IAM5[Action::${action}]`,
      `CDK's bucket read/put grant (${action}), limited to the specific SAN buckets each function declares in infra/system.ts.`,
    );
  }
  for (const [id, bucket] of Object.entries(stores.buckets)) {
    ack(
      `AwsSolutions-IAM5[Resource::${arnOf(bucket)}/*]`,
      `Objects of the ${id} bucket: keys are per cut, source and comuna and not known in advance.`,
    );
  }
  for (const [id, table] of Object.entries(stores.tables)) {
    ack(
      `AwsSolutions-IAM5[Resource::${arnOf(table)}/index/*]`,
      `Queries on the ${id} table's secondary indexes, all declared in infra/system.ts.`,
    );
  }
  for (const route of publicRoutes) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The OpenAPI document is public on purpose (client apps read it without a token); it holds no data, only the description of the API.',
    });
  }
  ack(
    'AwsSolutions-SMG4',
    'The pseudonymisation key must stay stable: rotating it changes every child pseudonym, so re-keying is a planned procedure with a full re-ingest, not an automatic rotation.',
  );
}

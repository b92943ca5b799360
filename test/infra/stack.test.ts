import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../functions/shared/adapters/observability';
import { entriesOf, INGEST_STALL_MINUTES, system } from '../../infra/system';
import { buildStack } from './synth';

let template: Template;

beforeAll(() => {
  template = Template.fromStack(buildStack().stack);
});

const resourcesOf = (type: string) =>
  Object.values(template.findResources(type)) as { Properties: Record<string, unknown> }[];

describe('SanStack', () => {
  it('deploys every function of the system definition on nodejs22.x, and the score function with both layers', () => {
    const fns = resourcesOf('AWS::Lambda::Function').filter((f) => f.Properties.Runtime === 'nodejs22.x');
    expect(fns).toHaveLength(Object.keys(system.functions).length);
    const layered = fns.filter((f) => ((f.Properties.Layers as unknown[]) ?? []).length > 0);
    expect(layered).toHaveLength(1);
    expect(layered[0]?.Properties.Layers).toHaveLength(2);
    expect(JSON.stringify(layered[0]?.Properties.Environment)).toContain('/opt/model/risk-model.onnx');
    template.resourceCountIs('AWS::Lambda::LayerVersion', 2);
  });

  it('traces every function with X-Ray, and lets it write its trace segments', () => {
    const fns = resourcesOf('AWS::Lambda::Function').filter((f) => f.Properties.Runtime === 'nodejs22.x');
    for (const fn of fns) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const policies = JSON.stringify(resourcesOf('AWS::IAM::Policy'));
    expect(policies).toContain('xray:PutTraceSegments');
  });

  it('gives every queue of the definition a dead-letter queue with its receive limit, KMS and TLS only', () => {
    const queues = resourcesOf('AWS::SQS::Queue');
    const withRedrive = queues.filter((q) => q.Properties.RedrivePolicy);
    expect(
      withRedrive
        .map((q) => (q.Properties.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount)
        .sort(),
    ).toEqual(
      Object.values(system.queues)
        .map((q) => q.maxReceiveCount)
        .sort(),
    );
    for (const q of queues) expect(q.Properties.KmsMasterKeyId).toBeDefined();
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('creates the tables of the definition with their indexes, KMS encryption and point-in-time recovery', () => {
    const tables = resourcesOf('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(Object.keys(system.tables).length);
    for (const [, def] of entriesOf(system.tables)) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: Match.arrayWith([{ AttributeName: def.partitionKey.name, KeyType: 'HASH' }]),
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        ...(def.indexes.length > 0
          ? {
              GlobalSecondaryIndexes: def.indexes.map((i) =>
                Match.objectLike({
                  IndexName: i.name,
                  Projection: i.nonKeyAttributes
                    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.nonKeyAttributes] }
                    : { ProjectionType: 'ALL' },
                }),
              ),
            }
          : {}),
        ...(def.warmWritesPerSecond
          ? { WarmThroughput: { WriteUnitsPerSecond: def.warmWritesPerSecond } }
          : {}),
        ...(def.timeToLiveAttribute
          ? { TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true } }
          : {}),
      });
    }
    // The identity table is pre-warmed for a national extract's identity writes.
    expect(system.tables.identities.warmWritesPerSecond).toBeGreaterThanOrEqual(10_000);
  });

  it('keeps buckets private, KMS-encrypted, versioned and logged', () => {
    const dataBuckets = resourcesOf('AWS::S3::Bucket').filter((b) => b.Properties.LoggingConfiguration);
    expect(dataBuckets).toHaveLength(Object.keys(system.buckets).length);
    for (const b of dataBuckets) {
      expect(JSON.stringify(b.Properties.BucketEncryption)).toContain('aws:kms');
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    }
  });

  it('puts every HTTP route of the definition behind the Cognito JWT authorizer, but the OpenAPI document', () => {
    const declared = entriesOf(system.functions).flatMap(([, def]) =>
      def.triggers.flatMap((t) => (t.type === 'http' ? t.routes : [])),
    );
    const routes = resourcesOf('AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      declared.map((r) => `${r.method} ${r.path}`).sort(),
    );
    const open = declared.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`);
    expect(open).toEqual(['GET /openapi.json']);
    for (const r of routes) {
      if (open.includes(String(r.Properties.RouteKey))) expect(r.Properties.AuthorizationType).toBe('NONE');
      else expect(r.Properties.AuthorizationType).toBe('JWT');
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({}) });
  });

  it('names a comuna {comuna} and a monthly cut {cut} in every route, under the SanApi construct', () => {
    const keys = resourcesOf('AWS::ApiGatewayV2::Route').map((r) => String(r.Properties.RouteKey));
    expect(keys).toContain('GET /v1/comunas/{comuna}/roster');
    expect(keys.filter((k) => k.startsWith('GET /v1/comunas/{cut}'))).toEqual([]);
    for (const k of keys.filter((x) => x.includes('{cut}'))) {
      // A cut is a month: it follows `cuts` or `quality`, or a comuna's drift or shadow report, never stands for a comuna.
      expect(k).toMatch(/^GET \/v1\/((cuts|quality)\/|comunas\/\{comuna\}\/(drift|shadow)\/\{cut\}$)/);
    }
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))).toEqual([
      expect.stringMatching(/^HttpApi/),
    ]);
  });

  it('declares an alarm on the flagged-drift metric for each level the system definition names', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm').filter(
      (a) => a.Properties.Namespace === METRICS_NAMESPACE,
    );
    expect(alarms).toHaveLength(Object.keys(system.alarms).length);
    for (const level of ['actuar', 'vigilar']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: METRICS_NAMESPACE,
        MetricName: METRIC.driftFlagged.name,
        Dimensions: Match.arrayWith([
          { Name: METRIC.driftFlagged.dimension, Value: level },
          { Name: 'service', Value: 'san' },
        ]),
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarms on every dead-letter queue, the oldest message of every queue, and every function’s errors and throttles', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm');
    const by = (namespace: string, metric: string) =>
      alarms.filter((a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metric);
    const queues = Object.keys(system.queues).length;
    const functions = Object.keys(system.functions).length;
    expect(by('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toHaveLength(queues);
    const oldest = by('AWS/SQS', 'ApproximateAgeOfOldestMessage');
    expect(oldest.map((a) => a.Properties.Threshold).sort()).toEqual(
      Object.values(system.queues)
        .map((q) => q.visibilityTimeoutSeconds * 2)
        .sort(),
    );
    expect(by('AWS/Lambda', 'Errors')).toHaveLength(functions);
    expect(by('AWS/Lambda', 'Throttles')).toHaveLength(functions);
    for (const a of alarms) expect(a.Properties.TreatMissingData).toBe('notBreaching');
    expect(JSON.stringify(by('AWS/SQS', 'ApproximateNumberOfMessagesVisible'))).toContain(
      'npm run san -- redrive',
    );
  });

  it('wires SQS triggers with partial batch responses, the S3 upload trigger and the schedule', () => {
    const mappings = resourcesOf('AWS::Lambda::EventSourceMapping');
    const sqsTriggers = Object.values(system.functions).flatMap((f) =>
      f.triggers.filter((t) => t.type === 'sqs'),
    );
    expect(mappings).toHaveLength(sqsTriggers.length);
    for (const m of mappings) expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const notifications = resourcesOf('Custom::S3BucketNotifications');
    expect(JSON.stringify(notifications)).toContain('extracts/');
    expect(JSON.stringify(notifications)).toContain('.csv.gz');
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
  });

  it('runs the ingest watchdog every 10 minutes over the run status index, with the run table and raw reports only', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(10 minutes)' });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: system.functions.ingestWatchdog.description },
    });
    const [watchdog] = Object.values(functions) as {
      Properties: {
        Role: { 'Fn::GetAtt': [string, string] };
        Environment: { Variables: Record<string, unknown> };
      };
    }[];
    expect(watchdog?.Properties.Environment.Variables.INGEST_STALL_MINUTES).toBe(
      String(INGEST_STALL_MINUTES),
    );
    const role = watchdog?.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
    );
    const granted = JSON.stringify(policies);
    expect(granted).toContain('dynamodb:UpdateItem');
    expect(granted).toContain('s3:PutObject');
    // Its own asynchronous-invocation DLQ aside, no queue, secret, other table or bucket read.
    for (const denied of [
      'secretsmanager:',
      'IngestTasksQueue',
      'IdentitiesTable',
      'WorkBucket',
      's3:GetObject',
    ]) {
      expect(granted).not.toContain(denied);
    }
  });
});

/**
 * The system's features as constructs. Each one owns the functions of its feature, built from the
 * system definition by SanFunction, and exposes them as public readonly members.
 */

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionId } from '../system';
import { entriesOf } from '../system';
import type { SanFunctionProps } from './san-function';
import { SanFunction } from './san-function';

export type FeatureProps = Omit<SanFunctionProps, 'def'>;

function build(scope: Construct, props: FeatureProps, id: FunctionId): SanFunction {
  return new SanFunction(scope, id.charAt(0).toUpperCase() + id.slice(1), {
    ...props,
    def: props.system.functions[id],
  });
}

/**
 * S3 uploads of extracts → planner → chunk, reduce, finalize and publish tasks → curated data,
 * identities and score requests; a scheduled watchdog ends runs whose tasks stopped progressing.
 */
export class IngestPipeline extends Construct {
  public readonly planner: SanFunction;
  public readonly worker: SanFunction;
  public readonly watchdog: SanFunction;
  constructor(scope: Construct, id: string, props: FeatureProps) {
    super(scope, id);
    this.planner = build(this, props, 'ingest');
    this.worker = build(this, props, 'ingestWorker');
    this.watchdog = build(this, props, 'ingestWatchdog');
  }
}

/** Score requests → indicators → ONNX model from the layer → roster. */
export class Scoring extends Construct {
  public readonly score: SanFunction;
  constructor(scope: Construct, id: string, props: FeatureProps) {
    super(scope, id);
    this.score = build(this, props, 'score');
  }
}

/**
 * Queued alerts → matching, deduplication, roster priority and the urgent notice; on a schedule,
 * the escalation of urgent alerts no one acted on and the identification of provisional children.
 */
export class AlertsConsumer extends Construct {
  public readonly consumer: SanFunction;
  public readonly escalation: SanFunction;
  public readonly identification: SanFunction;
  constructor(scope: Construct, id: string, props: FeatureProps) {
    super(scope, id);
    this.consumer = build(this, props, 'alertsConsumer');
    this.escalation = build(this, props, 'alertsEscalation');
    this.identification = build(this, props, 'alertsIdentification');
  }
}

/** Scheduled roster snapshots for the dashboards. */
export class Snapshots extends Construct {
  public readonly snapshot: SanFunction;
  constructor(scope: Construct, id: string, props: FeatureProps) {
    super(scope, id);
    this.snapshot = build(this, props, 'rosterSnapshot');
  }
}

/**
 * The HTTP API (API Gateway v2): every route the system definition declares, each behind a Cognito
 * JWT authorizer whose tokens carry the SAN role and comunas (a route its table marks `public`, the
 * OpenAPI document only, without one), with access logs.
 */
export class SanApi extends Construct {
  public readonly httpApi: apigw.HttpApi;
  public readonly userPool: cognito.UserPool;
  public readonly userPoolClient: cognito.UserPoolClient;
  public readonly functions: Readonly<Partial<Record<FunctionId, SanFunction>>>;
  /** Routes served without a token. */
  public readonly publicRoutes: readonly apigw.HttpRoute[];

  constructor(scope: Construct, id: string, props: FeatureProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: {
        role: new cognito.StringAttribute({ mutable: true, maxLen: 40 }),
        comunas: new cognito.StringAttribute({ mutable: true, maxLen: 2048 }),
        // Region codes (the CUT's first two digits) a coordinador regional oversees whole.
        regions: new cognito.StringAttribute({ mutable: true, maxLen: 64 }),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPoolClient = this.userPool.addClient('OlnClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      // Users cannot change their own role or comunas; administrators set them.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });
    const authorizer = new HttpUserPoolAuthorizer('SanAuthorizer', this.userPool, {
      userPoolClients: [this.userPoolClient],
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.httpApi = new apigw.HttpApi(this, 'Api', {
      description: 'Sistema de Alerta Niñez',
      createDefaultStage: false,
    });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 200, burstLimit: 400 },
    });
    const functions: Partial<Record<FunctionId, SanFunction>> = {};
    const publicRoutes: apigw.HttpRoute[] = [];
    for (const [fnId, def] of entriesOf(props.system.functions)) {
      for (const trigger of def.triggers) {
        if (trigger.type !== 'http') continue;
        const fn = functions[fnId] ?? build(this, props, fnId);
        functions[fnId] = fn;
        const integration = new HttpLambdaIntegration(`${fnId}Integration`, fn.function);
        for (const route of trigger.routes) {
          const added = this.httpApi.addRoutes({
            path: route.path,
            methods: [apigw.HttpMethod[route.method]],
            integration,
            ...(route.access === 'public' ? {} : { authorizer }),
          });
          if (route.access === 'public') publicRoutes.push(...added);
        }
      }
    }
    this.functions = functions;
    this.publicRoutes = publicRoutes;
  }
}

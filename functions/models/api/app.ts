/**
 * Models API: the model registry over HTTP. Reads (the versions, one version, a shadow report) and
 * the life cycle's transitions, which only an administrador_central may make, each recorded with
 * who, when and why. A transition that changes what scoring does (shadow, promote, rollback) queues
 * the comunas of the current cut for scoring again, so the roster and the shadow reports follow it.
 * The POST routes take an Idempotency-Key, as `POST /v1/alerts` does.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { SqsScoreRequestQueue } from '../../ingest/adapters/sqs-queues';
import { inspectModelFile } from '../../score/adapters/model-file';
import { dynamoClient, dynamoDocumentClient, s3Client, sqsClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import type { HttpEvent, HttpResult } from '../../shared/adapters/http';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { idempotencyKeyOf, idempotencyStore, idempotent } from '../../shared/adapters/idempotency';
import { createLogger } from '../../shared/adapters/logger';
import { S3ObjectStore } from '../../shared/adapters/s3-object-store';
import type { Principal } from '../../shared/domain/access';
import { inComuna, roleMay } from '../../shared/domain/access';
import { comunaRef } from '../../shared/domain/comunas';
import { DynamoRegistryStore } from '../adapters/dynamo-registry-store';
import { ModelGovernance } from '../domain/governance';
import type { ModelRecord, TransitionRequest } from '../domain/lifecycle';
import { candidateOf, deployedOf, ModelRegistryError, STATE_LABELS, TRANSITIONS } from '../domain/lifecycle';
import type { RegistryStore } from '../domain/model-store';
import { ModelObjects } from '../domain/model-store';
import {
  approveModelRoute,
  getModelRoute,
  getShadowReportRoute,
  listModelsRoute,
  promoteModelRoute,
  registerModelRoute,
  rollbackModelRoute,
  shadowModelRoute,
} from './routes';

const envSchema = endpointEnvSchema.extend({
  MODELS_BUCKET: z.string().min(3),
  MODELS_TABLE: z.string().min(1),
  SCORE_REQUESTS_QUEUE_URL: z.url(),
  IDEMPOTENCY_TABLE: z.string().min(1),
  IDEMPOTENCY_EXPIRY_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
});

type Change = 'register' | 'shadow' | 'approve' | 'promote' | 'rollback';
interface ChangeInput {
  readonly action: Change;
  readonly version?: string;
  readonly reason?: string;
  readonly file?: string;
}

const STATUS: Readonly<Record<ModelRegistryError['problem'], [number, string]>> = {
  conflict: [409, 'invalid_transition'],
  not_found: [404, 'not_found'],
  forbidden: [403, 'forbidden'],
  invalid: [400, 'invalid_model'],
};

/** A record as the routes answer it. */
export function recordView(record: ModelRecord) {
  return { ...record, stateLabel: STATE_LABELS[record.state] };
}

/** `ports` replace the table, the bucket and the queue (tests). */
export function createHandler(
  rawEnv: Readonly<Record<string, string | undefined>>,
  ports: {
    readonly store?: RegistryStore;
    readonly objects?: ModelObjects;
    readonly rescore?: (requests: readonly { cut: string; comuna: string }[]) => Promise<void>;
  } = {},
) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-models-api');
  const objects = ports.objects ?? new ModelObjects(new S3ObjectStore(s3Client(env), env.MODELS_BUCKET));
  const governance = new ModelGovernance({
    store: ports.store ?? new DynamoRegistryStore(dynamoDocumentClient(env), env.MODELS_TABLE),
    objects,
    inspect: async (bytes) => inspectModelFile(bytes),
  });
  const queue = new SqsScoreRequestQueue(sqsClient(env), env.SCORE_REQUESTS_QUEUE_URL);
  const rescore = ports.rescore ?? ((requests) => queue.sendAll(requests));

  const change = async (input: ChangeInput, principal: Principal) => {
    const request: TransitionRequest = {
      by: { subject: principal.subject, role: principal.role },
      at: new Date().toISOString(),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    };
    const version = input.version ?? '';
    const outcome =
      input.action === 'register'
        ? await governance.register(Buffer.from(input.file ?? '', 'base64'), request)
        : input.action === 'shadow'
          ? await governance.shadow(version, request)
          : input.action === 'approve'
            ? await governance.approve(version, request)
            : input.action === 'promote'
              ? await governance.promote(version, request)
              : await governance.rollback(request);
    if (input.action === 'shadow' || input.action === 'promote' || input.action === 'rollback') {
      const current = await objects.currentCut();
      if (current) await rescore(current.comunas.map((comuna) => ({ cut: current.cut, comuna })));
    }
    logger.info('model registry changed', { action: input.action, version: outcome.record.version });
    return recordView(outcome.record);
  };
  const changeOnce = idempotent(change, {
    store: idempotencyStore({ tableName: env.IDEMPOTENCY_TABLE, client: dynamoClient(env) }),
    operation: 'models-api',
    expiresAfterSeconds: env.IDEMPOTENCY_EXPIRY_SECONDS,
  });

  const govern = async (
    event: HttpEvent,
    context: Context,
    action: Change,
    input: Omit<ChangeInput, 'action'>,
  ): Promise<HttpResult> => {
    const principal = principalOf(event);
    if (!roleMay(principal, 'model:govern')) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede ${TRANSITIONS[action].label} versiones del modelo: solo administrador_central`,
      );
    }
    const key = idempotencyKeyOf(event);
    const { result, replayed } = await changeOnce(
      { caller: principal.subject, key, input: { action, ...input }, extra: principal },
      context,
    );
    return reply(registerModelRoute, 200, result, replayed ? { 'idempotent-replayed': 'true' } : {});
  };

  const read = (event: HttpEvent): Principal => {
    const principal = principalOf(event);
    if (!roleMay(principal, 'model:read')) {
      throw new HttpError(403, 'forbidden', `el rol ${principal.role} no puede leer el registro de modelos`);
    }
    return principal;
  };

  const route = httpHandler(logger, async (event, context) => {
    try {
      switch (event.routeKey) {
        case 'GET /v1/models': {
          read(event);
          const registry = await governance.registry();
          const models = Object.values(registry.versions).sort(
            (a, b) => order(a) - order(b) || (a.registeredAt < b.registeredAt ? 1 : -1),
          );
          return reply(listModelsRoute, 200, {
            deployed: deployedOf(registry)?.version ?? null,
            candidate: candidateOf(registry)?.version ?? null,
            models: models.map(recordView),
          });
        }
        case 'GET /v1/models/{version}': {
          read(event);
          const { version } = parseRequest(getModelRoute, event).params;
          const record = await governance.record(version);
          if (!record) throw new HttpError(404, 'not_found', `la versión ${version} no está registrada`);
          return reply(getModelRoute, 200, recordView(record));
        }
        case 'GET /v1/comunas/{comuna}/shadow/{cut}': {
          const principal = principalOf(event);
          if (!roleMay(principal, 'drift:read')) {
            throw new HttpError(
              403,
              'forbidden',
              `el rol ${principal.role} no puede leer los informes en sombra`,
            );
          }
          const { params, query } = parseRequest(getShadowReportRoute, event);
          if (!inComuna(principal, params.comuna)) {
            throw new HttpError(
              403,
              'forbidden',
              `la comuna ${params.comuna} no está entre las comunas del token`,
            );
          }
          const version = query.version ?? candidateOf(await governance.registry())?.version;
          if (!version) {
            throw new HttpError(404, 'not_found', 'no hay una versión en sombra; indique ?version=<versión>');
          }
          const report = await objects.shadowReport(version, params.cut, params.comuna);
          if (!report) {
            throw new HttpError(
              404,
              'not_found',
              `no hay informe en sombra de la versión ${version} para la comuna ${params.comuna} en el corte ${params.cut}`,
            );
          }
          return reply(getShadowReportRoute, 200, { ...report, comuna: comunaRef(params.comuna) });
        }
        case 'POST /v1/models': {
          const { body } = parseRequest(registerModelRoute, event);
          return await govern(event, context, 'register', body);
        }
        case 'POST /v1/models/{version}/shadow': {
          const { params, body } = parseRequest(shadowModelRoute, event);
          return await govern(event, context, 'shadow', { version: params.version, ...body });
        }
        case 'POST /v1/models/{version}/approve': {
          const { params, body } = parseRequest(approveModelRoute, event);
          return await govern(event, context, 'approve', { version: params.version, ...body });
        }
        case 'POST /v1/models/{version}/promote': {
          const { params, body } = parseRequest(promoteModelRoute, event);
          return await govern(event, context, 'promote', { version: params.version, ...body });
        }
        case 'POST /v1/models/rollback': {
          const { body } = parseRequest(rollbackModelRoute, event);
          return await govern(event, context, 'rollback', body);
        }
        default:
          throw new HttpError(404, 'not_found', 'ruta desconocida');
      }
    } catch (error) {
      if (error instanceof ModelRegistryError) {
        const [status, code] = STATUS[error.problem];
        throw new HttpError(status, code, error.message);
      }
      throw error;
    }
  });
  return middy(route).use(injectLambdaContext(logger));
}

const STATE_ORDER = ['deployed', 'approved', 'shadow', 'previous', 'registered', 'retired'];
const order = (r: ModelRecord): number => STATE_ORDER.indexOf(r.state);

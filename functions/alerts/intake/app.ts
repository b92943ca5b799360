/**
 * Alert intake: `POST /v1/alerts`. Validates the report, checks that the caller may raise alerts in
 * that comuna, and queues it in the message schema institutions write to the queue too; the
 * consumer finds the child and keeps what the reporter said of it in the identity store. Answers 202 with the alert's id and where to follow it
 * (`GET /v1/alerts/{alertId}`): routing to the child's comuna and prioritisation follow asynchronously.
 * A request with an `Idempotency-Key` is filed once per caller and key: a retry after a timeout gets
 * the first answer, with the same alert id, instead of filing a second alert.
 */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoClient, sqsClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { idempotencyKeyOf, idempotencyStore, idempotent } from '../../shared/adapters/idempotency';
import { createLogger } from '../../shared/adapters/logger';
import { lazyPseudonymiser } from '../../shared/adapters/pseudonym-key';
import type { Principal } from '../../shared/domain/access';
import { isAllowed } from '../../shared/domain/access';
import { parseDate } from '../../shared/domain/dates';
import { canonicalRun, parseRun } from '../../shared/domain/run';
import { SqsAlertQueue } from '../adapters/sqs-alert-queue';
import { createAlertRoute } from '../api/routes';
import type { AlertMessage, AlertRequest } from '../domain/alert';
import { INITIAL_ALERT_STATE } from '../domain/alert';

const envSchema = endpointEnvSchema.extend({
  ALERTS_QUEUE_URL: z.url(),
  PSEUDONYM_KEY_SOURCE: z.string().min(1),
  IDEMPOTENCY_TABLE: z.string().min(1),
  /** How long an Idempotency-Key keeps its answer. */
  IDEMPOTENCY_EXPIRY_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
});

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-alerts-intake');
  const queue = new SqsAlertQueue(sqsClient(env), env.ALERTS_QUEUE_URL);
  const pseudonymiser = lazyPseudonymiser(env.PSEUDONYM_KEY_SOURCE, env);

  /**
   * Queues the alert as the message institutions also write, with who sent it taken from the token,
   * and answers with the child's pseudonym: the RUN's, or the provisional child's the consumer files
   * an alert without RUN under (it says, once processed, whether the names found a known child).
   */
  const file = async (request: AlertRequest, principal: Principal) => {
    const run = request.run === undefined ? undefined : parseRun(request.run);
    if (run && !run.ok)
      throw new HttpError(400, 'validation_failed', 'RUN inválido: formato o dígito verificador incorrecto');
    const keyed = await pseudonymiser();
    const alertId = randomUUID();
    const childId = run?.ok ? keyed.child(run.run) : keyed.provisionalChild(alertId);
    const receivedAt = new Date().toISOString();
    const { birthDate, ...told } = request.child ?? {};
    const message: AlertMessage = {
      alertId,
      comuna: request.comuna,
      riskFactor: request.riskFactor,
      description: request.description,
      urgent: request.urgent,
      ...(request.observedAt ? { observedAt: parseDate(request.observedAt) } : {}),
      receivedAt,
      reporter: {
        id: principal.subject,
        role: principal.role,
        institution: request.reporter.institution,
        ...(request.reporter.phone !== undefined ? { phone: request.reporter.phone } : {}),
      },
      child: {
        ...(run?.ok ? { run: canonicalRun(run.run) } : {}),
        ...told,
        ...(birthDate !== undefined ? { birthDate: parseDate(birthDate) } : {}),
      },
    };
    await queue.send(message);
    logger.info('alert queued', {
      alertId,
      comuna: message.comuna,
      urgent: message.urgent,
      withRun: run !== undefined,
    });
    return { alertId, childId, state: INITIAL_ALERT_STATE, receivedAt };
  };
  // The stored answer is what a retry gets back. Only the body is compared: a retry with a renewed
  // token is still the same request.
  const fileOnce = idempotent(file, {
    store: idempotencyStore({ tableName: env.IDEMPOTENCY_TABLE, client: dynamoClient(env) }),
    operation: 'alerts-intake',
    expiresAfterSeconds: env.IDEMPOTENCY_EXPIRY_SECONDS,
  });

  const route = httpHandler(logger, async (event, context) => {
    const principal = principalOf(event);
    const key = idempotencyKeyOf(event);
    const request = parseRequest(createAlertRoute, event).body;
    if (!isAllowed(principal, 'alert:create', request.comuna)) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede levantar alertas en la comuna ${request.comuna}`,
      );
    }
    const { result, replayed } = await fileOnce(
      { caller: principal.subject, key, input: request, extra: principal },
      context,
    );
    // Where the alert goes is decided by the consumer (the child may be registered in another
    // comuna), so the answer points at the alert itself, which says where it went once processed.
    const location = `/v1/alerts/${result.alertId}`;
    return reply(
      createAlertRoute,
      202,
      { ...result, alert: location },
      { location, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) },
    );
  });
  return middy(route).use(injectLambdaContext(logger));
}

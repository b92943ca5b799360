/**
 * Alert intake: `POST /v1/alerts`. Validates the report, checks that the caller may raise alerts in
 * that comuna, pseudonymises the child, keeps what the reporter said of the child in the identity
 * store, and queues the alert. Answers 202 with the alert's id and where to follow it
 * (`GET /v1/alerts/{alertId}`): routing to the child's comuna and prioritisation follow asynchronously.
 */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoDocumentClient, sqsClient } from '../../shared/aws-clients';
import { isAllowed } from '../../shared/domain/access';
import { parseDate } from '../../shared/domain/dates';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import { createPseudonymiser } from '../../shared/domain/pseudonym';
import { canonicalRun, parseRun } from '../../shared/domain/run';
import { endpointEnvSchema, parseEnv } from '../../shared/env';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/http';
import { createLogger } from '../../shared/logger';
import { loadPseudonymKey } from '../../shared/pseudonym-key';
import { DynamoAlertIdentityStore } from '../adapters/dynamo-alert-store';
import { SqsAlertQueue } from '../adapters/sqs-alert-queue';
import { createAlertRoute } from '../api/routes';
import type { AlertMessage } from '../domain/alert';
import { INITIAL_ALERT_STATE } from '../domain/alert';

const envSchema = endpointEnvSchema.extend({
  ALERTS_QUEUE_URL: z.url(),
  IDENTITIES_TABLE: z.string().min(1),
  PSEUDONYM_KEY_SOURCE: z.string().min(1),
});

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-alerts-intake');
  const queue = new SqsAlertQueue(sqsClient(env), env.ALERTS_QUEUE_URL);
  const identities = new DynamoAlertIdentityStore(dynamoDocumentClient(env), env.IDENTITIES_TABLE);
  let pseudonymiser: Promise<Pseudonymiser> | undefined;

  const route = httpHandler(logger, async (event) => {
    const principal = principalOf(event);
    const request = parseRequest(createAlertRoute, event).body;
    if (!isAllowed(principal, 'alert:create', request.comuna)) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede levantar alertas en la comuna ${request.comuna}`,
      );
    }
    const run = parseRun(request.run);
    if (!run.ok)
      throw new HttpError(400, 'validation_failed', 'RUN inválido: formato o dígito verificador incorrecto');
    pseudonymiser ??= loadPseudonymKey(env.PSEUDONYM_KEY_SOURCE, env)
      .then(createPseudonymiser)
      .catch((error: unknown) => {
        pseudonymiser = undefined;
        throw error;
      });
    const childId = (await pseudonymiser).child(run.run);
    const receivedAt = new Date().toISOString();
    const message: AlertMessage = {
      alertId: randomUUID(),
      childId,
      comuna: request.comuna,
      riskFactor: request.riskFactor,
      description: request.description,
      urgent: request.urgent,
      ...(request.observedAt ? { observedAt: parseDate(request.observedAt) } : {}),
      receivedAt,
      reportedBy: {
        subject: principal.subject,
        role: principal.role,
        institution: request.reporter.institution,
      },
    };
    if (request.child) {
      await identities.putIfAbsent({
        childId,
        run: canonicalRun(run.run),
        comuna: request.comuna,
        ...request.child,
        source: 'alerta',
        cut: receivedAt.slice(0, 7),
      });
    }
    await queue.send(message);
    logger.info('alert queued', { alertId: message.alertId, comuna: message.comuna, urgent: message.urgent });
    // Where the alert goes is decided by the consumer (the child may be registered in another
    // comuna), so the answer points at the alert itself, which says where it went once processed.
    const location = `/v1/alerts/${message.alertId}`;
    return reply(
      createAlertRoute,
      202,
      { alertId: message.alertId, childId, state: INITIAL_ALERT_STATE, receivedAt, alert: location },
      { location },
    );
  });
  return middy(route).use(injectLambdaContext(logger));
}

/**
 * Alert consumer: SQS batches from the alerts queue, written by alert intake and by institutions
 * straight to the queue, in one schema. Each message's child is found (RUN, else names and birth
 * date, else a provisional child; `identify-child.ts`) before it is filed. Each message is processed on its own; a bad
 * or failing message is reported as a batch item failure, so the others complete and the failing
 * one is retried; a message that can never be processed, or that failed on its last allowed receive,
 * is set aside in the dead-letter queue with the reason. Messages run
 * side by side, except those about the same child, which run in turn in the batch's order: each
 * reads the child's alerts before filing, so two reports of one child and risk factor in a batch
 * must be one new alert and one repeat, not two new ones.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoIdentityStore } from '../../identity/adapters/dynamo-identity-store';
import { matchBlockOf } from '../../identity/domain/matching';
import { DynamoRosterStore } from '../../roster/adapters/dynamo-roster-store';
import { dynamoDocumentClient, snsClient, sqsClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { createLogger } from '../../shared/adapters/logger';
import { countMetric } from '../../shared/adapters/observability';
import { lazyPseudonymiser } from '../../shared/adapters/pseudonym-key';
import { sqsBatchHandler, sqsDeadLetter } from '../../shared/adapters/sqs-batch';
import { inTurnBy } from '../../shared/domain/in-turn';
import { canonicalRun, parseRun } from '../../shared/domain/run';
import { DynamoAlertStore } from '../adapters/dynamo-alert-store';
import { DynamoNoticeStore, TopicNotifier } from '../adapters/notices';
import type { AlertMessage } from '../domain/alert';
import { alertMessageSchema } from '../domain/alert';
import { identifyChild } from '../domain/identify-child';
import { processAlert } from '../domain/process-alert';

const envSchema = endpointEnvSchema.extend({
  ALERTS_TABLE: z.string().min(1),
  OPEN_ALERTS_TABLE: z.string().min(1),
  ROSTER_TABLE: z.string().min(1),
  NOTIFICATIONS_TABLE: z.string().min(1),
  NOTIFICATIONS_TOPIC_ARN: z.string().startsWith('arn:', 'debe ser el ARN del tema de notificaciones'),
  ALERTS_DLQ_URL: z.url(),
  ALERTS_MAX_RECEIVES: z.coerce.number().int().min(1).max(1000),
  IDENTITIES_TABLE: z.string().min(1),
  PSEUDONYM_KEY_SOURCE: z.string().min(1),
});

/**
 * Messages about one child run in turn: the same RUN, or (without one) the same surname in the same
 * comuna, which is where a match looks.
 */
function turnKeyOf(message: AlertMessage): string {
  const run = message.child.run === undefined ? undefined : parseRun(message.child.run);
  if (run?.ok) return `run:${canonicalRun(run.run)}`;
  return `names:${matchBlockOf(message.comuna, message.child.paternalSurname) ?? message.alertId}`;
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-alerts-consumer');
  const db = dynamoDocumentClient(env);
  const loadPseudonymiser = lazyPseudonymiser(env.PSEUDONYM_KEY_SOURCE, env);
  const directory = new DynamoIdentityStore(db, env.IDENTITIES_TABLE);
  const deps = {
    alerts: new DynamoAlertStore(db, env.ALERTS_TABLE, env.OPEN_ALERTS_TABLE),
    roster: new DynamoRosterStore(db, env.ROSTER_TABLE),
    notifier: new TopicNotifier(
      new DynamoNoticeStore(db, env.NOTIFICATIONS_TABLE),
      snsClient(env),
      env.NOTIFICATIONS_TOPIC_ARN,
    ),
    identify: async (message: AlertMessage) =>
      identifyChild({ pseudonymiser: await loadPseudonymiser(), directory }, message),
  };
  const sameChildInTurn = inTurnBy();

  const handle = sqsBatchHandler({
    schema: alertMessageSchema,
    what: 'an alert',
    logger,
    deadLetter: sqsDeadLetter(sqsClient(env), env.ALERTS_DLQ_URL, env.ALERTS_MAX_RECEIVES),
    process: async (message) => {
      const { outcome, comuna } = await sameChildInTurn(turnKeyOf(message), () =>
        processAlert(deps, message),
      );
      logger.info('alert processed', {
        alertId: message.alertId,
        comuna,
        raisedInComuna: message.comuna,
        outcome,
      });
      // A redelivery files nothing; a repeat is filed as an alert of its own, joined to the one it repeats.
      if (outcome !== 'redelivered') countMetric('alertsFiled', comuna);
    },
  });
  return middy(handle).use(injectLambdaContext(logger));
}

/**
 * Urgent-alert escalation: on a schedule, notifies the coordinador regional of every urgent alert
 * that no one at the OLN has acted on within ESCALATE_URGENT_AFTER_HOURS (configuration in the
 * system definition), once per alert. The scheduled event's time is the pass's "now".
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDocumentClient, snsClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { createLogger } from '../../shared/adapters/logger';
import { DynamoAlertStore } from '../adapters/dynamo-alert-store';
import { DynamoNoticeStore, TopicNotifier } from '../adapters/notices';
import { escalateUrgentAlerts } from '../domain/escalate';

const envSchema = endpointEnvSchema.extend({
  ALERTS_TABLE: z.string().min(1),
  NOTIFICATIONS_TABLE: z.string().min(1),
  NOTIFICATIONS_TOPIC_ARN: z.string().startsWith('arn:', 'debe ser el ARN del tema de notificaciones'),
  ESCALATE_URGENT_AFTER_HOURS: z.coerce
    .number({ error: 'debe ser un número de horas, de 1 a 168' })
    .min(1, 'debe ser un número de horas, de 1 a 168')
    .max(168, 'debe ser un número de horas, de 1 a 168'),
});

export interface EscalationSummary {
  readonly escalated: readonly string[];
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-alerts-escalation');
  const db = dynamoDocumentClient(env);
  const deps = {
    alerts: new DynamoAlertStore(db, env.ALERTS_TABLE),
    notifier: new TopicNotifier(
      new DynamoNoticeStore(db, env.NOTIFICATIONS_TABLE),
      snsClient(env),
      env.NOTIFICATIONS_TOPIC_ARN,
    ),
  };

  const handle = async (event: ScheduledEvent, _context: Context): Promise<EscalationSummary> => {
    const scheduled = Date.parse(event?.time ?? '');
    const now = Number.isNaN(scheduled) ? new Date() : new Date(scheduled);
    const escalated = await escalateUrgentAlerts(deps, now, env.ESCALATE_URGENT_AFTER_HOURS);
    for (const alertId of escalated) logger.warn('urgent alert escalated', { alertId });
    return { escalated };
  };
  return middy(handle).use(injectLambdaContext(logger));
}

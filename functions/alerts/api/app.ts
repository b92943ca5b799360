/**
 * Alerts API: `GET /v1/alerts/{alertId}` tells where an alert went (the comuna whose OLN handles
 * it, which may not be the one it was raised in), its state and when it was received. Whoever
 * reported it and the roles of the handling comuna see the report too; see `domain/alert-view.ts`.
 * An alert the caller may not see answers exactly like one that does not exist.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoDocumentClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { HttpError, httpHandler, json, parseWith, principalOf } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { DynamoAlertStore } from '../adapters/dynamo-alert-store';
import { alertViewFor } from '../domain/alert-view';

const envSchema = endpointEnvSchema.extend({ ALERTS_TABLE: z.string().min(1) });

const alertIdParam = z.uuid({ error: 'debe ser el identificador de una alerta (un UUID)' });

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-alerts-api');
  const alerts = new DynamoAlertStore(dynamoDocumentClient(env), env.ALERTS_TABLE);

  const route = httpHandler(logger, async (event) => {
    if (event.routeKey !== 'GET /v1/alerts/{alertId}') {
      throw new HttpError(404, 'no_route', `no route ${event.routeKey}`);
    }
    const principal = principalOf(event);
    const alertId = parseWith(alertIdParam, event.pathParameters?.alertId, 'path.alertId');
    const alert = await alerts.get(alertId);
    const view = alert ? alertViewFor(principal, alert) : undefined;
    if (!view) {
      throw new HttpError(
        404,
        'not_found',
        `no hay una alerta ${alertId} que usted pueda ver; si acaba de enviarla, espere unos segundos a que se procese`,
      );
    }
    return json(200, view);
  });
  return middy(route).use(injectLambdaContext(logger));
}

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
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { routeKeyOf } from '../../shared/api/route';
import { DynamoAlertStore } from '../adapters/dynamo-alert-store';
import { alertViewFor } from '../domain/alert-view';
import { getAlertRoute } from './routes';

const envSchema = endpointEnvSchema.extend({ ALERTS_TABLE: z.string().min(1) });

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-alerts-api');
  const alerts = new DynamoAlertStore(dynamoDocumentClient(env), env.ALERTS_TABLE);

  const route = httpHandler(logger, async (event) => {
    if (event.routeKey !== routeKeyOf(getAlertRoute)) {
      throw new HttpError(404, 'no_route', `no existe la ruta ${event.routeKey}`);
    }
    const principal = principalOf(event);
    const { alertId } = parseRequest(getAlertRoute, event).params;
    const alert = await alerts.get(alertId);
    const view = alert ? alertViewFor(principal, alert) : undefined;
    if (!view) {
      throw new HttpError(
        404,
        'not_found',
        `no hay una alerta ${alertId} que usted pueda ver; si acaba de enviarla, espere unos segundos a que se procese`,
      );
    }
    return reply(getAlertRoute, 200, view);
  });
  return middy(route).use(injectLambdaContext(logger));
}

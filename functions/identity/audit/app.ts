/**
 * Access-log API: `GET /v1/access-log?childId=…|subject=…&from=…&to=…` reads the audit trail of
 * requests for personal data, one child's or one user's, oldest first, for the administrador central:
 * an audit, or the report a family asks for under Ley 21.719 (what was read about its child, by whom,
 * when and why). The log holds pseudonyms, never personal data; each read of it is itself logged by
 * this function, with who asked and what for.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoDocumentClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { routeKeyOf } from '../../shared/api/route';
import { roleMay } from '../../shared/domain/access';
import { AccessLogCursorError, DynamoAccessLog } from '../adapters/dynamo-access-log';
import { getAccessLogRoute } from '../api/routes';
import type { AccessLogReader } from '../domain/access';

const envSchema = endpointEnvSchema.extend({ ACCESS_LOG_TABLE: z.string().min(1) });

/** `ports.log` replaces the table (tests). */
export function createHandler(
  rawEnv: Readonly<Record<string, string | undefined>>,
  ports: { readonly log?: AccessLogReader } = {},
) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-access-log-api');
  const log = ports.log ?? new DynamoAccessLog(dynamoDocumentClient(env), env.ACCESS_LOG_TABLE);

  const route = httpHandler(logger, async (event) => {
    if (event.routeKey !== routeKeyOf(getAccessLogRoute)) {
      throw new HttpError(404, 'no_route', `no existe la ruta ${event.routeKey}`);
    }
    const principal = principalOf(event);
    if (!roleMay(principal, 'accesslog:read')) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede leer el registro de accesos: solo administrador_central`,
      );
    }
    const { query } = parseRequest(getAccessLogRoute, event);
    const by = query.childId !== undefined ? { childId: query.childId } : { subject: query.subject ?? '' };
    let page: Awaited<ReturnType<AccessLogReader['query']>>;
    try {
      page = await log.query({
        by,
        limit: query.limit,
        ...(query.from !== undefined ? { from: query.from } : {}),
        ...(query.to !== undefined ? { to: query.to } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      });
    } catch (error) {
      if (error instanceof AccessLogCursorError) {
        throw new HttpError(400, 'invalid_cursor', error.message, [
          { path: 'query.cursor', message: error.message },
        ]);
      }
      throw error;
    }
    // Who read the audit trail, and of whom: pseudonyms and user ids only.
    logger.info('access log read', { subject: principal.subject, by, entries: page.entries.length });
    return reply(getAccessLogRoute, 200, {
      entries: page.entries.map((e) => ({
        childId: e.childId,
        at: e.at.split('#')[0] ?? e.at,
        subject: e.subject ?? null,
        role: e.role ?? null,
        comuna: e.comuna ?? null,
        purpose: e.purpose ?? null,
        outcome: e.outcome,
        reason: e.reason ?? null,
        invalid: [...(e.invalid ?? [])],
        requestId: e.requestId,
      })),
      nextCursor: page.nextCursor ?? null,
    });
  });
  return middy(route).use(injectLambdaContext(logger));
}

/**
 * Identity API: `GET /v1/comunas/{comuna}/children/{childId}/identity?purpose=…` answers a child's
 * RUN, names and address to an OLN role of the child's own comuna (the coordinador; a gestor de
 * casos or terapeuta familiar only for a child of an open case assigned to them), for one of the
 * stated purposes. Every request is written to the access log
 * first; see `domain/access.ts`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoCaseStore } from '../../cases/adapters/dynamo-case-store';
import { FINAL_STATES } from '../../cases/domain/case-workflow';
import { DynamoRosterStore } from '../../roster/adapters/dynamo-roster-store';
import { dynamoDocumentClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import type { HttpEvent } from '../../shared/adapters/http';
import {
  claimedIdentity,
  HttpError,
  httpHandler,
  parseWith,
  principalOf,
  reply,
} from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { countMetric } from '../../shared/adapters/observability';
import { routeKeyOf } from '../../shared/api/route';
import type { Principal } from '../../shared/domain/access';
import { comunaRef } from '../../shared/domain/comunas';
import { formatRun, parseRun } from '../../shared/domain/run';
import { DynamoAccessLog } from '../adapters/dynamo-access-log';
import { DynamoIdentityStore } from '../adapters/dynamo-identity-store';
import type { RefusedRequest } from '../domain/access';
import { readIdentity, recordRefusedRequest } from '../domain/access';
import { getIdentityRoute } from './routes';

const envSchema = endpointEnvSchema.extend({
  ROSTER_TABLE: z.string().min(1),
  IDENTITIES_TABLE: z.string().min(1),
  ACCESS_LOG_TABLE: z.string().min(1),
  CASES_TABLE: z.string().min(1),
});

const pathSchema = getIdentityRoute.params;
const querySchema = getIdentityRoute.query;

/** What a refused request named that was valid, which parameters were not, and why it was refused. */
function refusalOf(event: HttpEvent, error: HttpError, requestId: string): RefusedRequest {
  const valid = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => schema.safeParse(value).data;
  const comuna = valid(pathSchema.shape.comuna, event.pathParameters?.comuna);
  const childId = valid(pathSchema.shape.childId, event.pathParameters?.childId);
  const purpose = valid(querySchema.shape.purpose, event.queryStringParameters?.purpose);
  const invalid = Object.entries({ 'path.comuna': comuna, 'path.childId': childId, 'query.purpose': purpose })
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  const { subject, role } = claimedIdentity(event);
  return {
    requestId,
    outcome: error.status === 400 ? 'invalid_request' : 'denied',
    reason: error.code,
    ...(subject !== undefined ? { subject } : {}),
    ...(role !== undefined ? { role } : {}),
    ...(comuna !== undefined ? { comuna } : {}),
    ...(childId !== undefined ? { childId } : {}),
    ...(purpose !== undefined ? { purpose } : {}),
    ...(invalid.length > 0 ? { invalid } : {}),
  };
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-identity-api');
  const db = dynamoDocumentClient(env);
  const caseStore = new DynamoCaseStore(db, env.CASES_TABLE);
  const deps = {
    roster: new DynamoRosterStore(db, env.ROSTER_TABLE),
    cases: {
      casesOfChild: async (childId: string) =>
        (await caseStore.casesOfChild(childId)).map((c) => ({
          comuna: c.comuna,
          active: !FINAL_STATES.has(c.state),
          ...(c.gestor !== undefined ? { gestor: c.gestor } : {}),
          ...(c.terapeuta !== undefined ? { terapeuta: c.terapeuta } : {}),
        })),
    },
    identities: new DynamoIdentityStore(db, env.IDENTITIES_TABLE),
    log: new DynamoAccessLog(db, env.ACCESS_LOG_TABLE),
  };

  const route = httpHandler(logger, async (event, context) => {
    if (event.routeKey !== routeKeyOf(getIdentityRoute)) {
      throw new HttpError(404, 'no_route', `no existe la ruta ${event.routeKey}`);
    }
    const requestId = event.requestContext.requestId ?? context.awsRequestId;
    let request: {
      principal: Principal;
      path: z.infer<typeof pathSchema>;
      query: z.infer<typeof querySchema>;
    };
    try {
      request = {
        principal: principalOf(event),
        path: parseWith(pathSchema, event.pathParameters ?? {}, 'path'),
        query: parseWith(querySchema, event.queryStringParameters ?? {}, 'query'),
      };
    } catch (error) {
      // A refusal is a request too: it is logged, with only its valid parts, before it is answered.
      if (error instanceof HttpError) await recordRefusedRequest(deps, refusalOf(event, error, requestId));
      throw error;
    }
    const { principal, path, query } = request;
    const answer = await readIdentity(deps, {
      principal,
      comuna: path.comuna,
      childId: path.childId,
      purpose: query.purpose,
      requestId,
    });
    if (answer.outcome !== 'granted') {
      throw answer.outcome === 'denied'
        ? new HttpError(403, 'forbidden', answer.message)
        : new HttpError(404, 'not_found', answer.message);
    }
    const i = answer.identity;
    const run = i.run === undefined ? undefined : parseRun(i.run);
    // The log holds who read which child and why; the application log holds no personal data.
    logger.info('identity read', { childId: i.childId, comuna: path.comuna, purpose: query.purpose });
    countMetric('identityReads', path.comuna);
    return reply(getIdentityRoute, 200, {
      childId: i.childId,
      comuna: comunaRef(i.comuna),
      run: run === undefined ? null : run.ok ? formatRun(run.run) : (i.run ?? null),
      givenNames: i.givenNames ?? null,
      paternalSurname: i.paternalSurname ?? null,
      maternalSurname: i.maternalSurname ?? null,
      address: i.address ?? null,
      birthDate: i.birthDate ?? null,
      approximateAge: i.approximateAge ?? null,
      source: i.source,
      cut: i.cut,
      purpose: query.purpose,
      notice:
        'Datos personales de un niño, niña o adolescente (Ley 21.719): úselos solo para el propósito declarado; este acceso quedó registrado.',
    });
  });
  return middy(route).use(injectLambdaContext(logger));
}

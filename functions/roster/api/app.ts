/**
 * Roster API: `GET /v1/comunas/{comuna}/roster` (the nómina, paged, in priority order) and
 * `GET /v1/comunas/{comuna}/roster/{childId}` (one entry with its reasons and alerts). Entries carry
 * pseudonyms only; the caller must hold a role allowed to read that comuna's roster.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { riskFactorView } from '../../alerts/domain/alert';
import { dynamoDocumentClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import type { HttpEvent } from '../../shared/adapters/http';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { routeKeyOf } from '../../shared/api/route';
import { isAllowed } from '../../shared/domain/access';
import { comunaRef } from '../../shared/domain/comunas';
import { DynamoRosterStore } from '../adapters/dynamo-roster-store';
import type { RosterEntry } from '../domain/roster';
import { InvalidCursorError } from '../domain/roster';
import { getRosterEntryRoute, listRosterRoute } from './routes';

const envSchema = endpointEnvSchema.extend({ ROSTER_TABLE: z.string().min(1) });

/** API cursor: the store's cursor plus the rank of the next entry. */
interface PageCursor {
  readonly store: string;
  readonly rank: number;
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-roster-api');
  const roster = new DynamoRosterStore(dynamoDocumentClient(env), env.ROSTER_TABLE);

  const authorise = (principal: ReturnType<typeof principalOf>, comuna: string): void => {
    if (!isAllowed(principal, 'roster:read', comuna)) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede leer la nómina de la comuna ${comuna}`,
      );
    }
  };

  const list = async (event: HttpEvent) => {
    const principal = principalOf(event);
    const { params, query } = parseRequest(listRosterRoute, event);
    const comuna = params.comuna;
    authorise(principal, comuna);
    const cursor = query.cursor ? decodePageCursor(query.cursor) : { store: undefined, rank: 1 };
    let page: Awaited<ReturnType<typeof roster.page>>;
    try {
      page = await roster.page(comuna, query.limit, cursor.store);
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new HttpError(
          400,
          'invalid_cursor',
          'el cursor no es uno que esta API haya entregado para esta comuna',
        );
      }
      throw error;
    }
    const entries = page.entries.map((e, i) => ({ rank: cursor.rank + i, ...present(e) }));
    return reply(listRosterRoute, 200, {
      comuna: comunaRef(comuna),
      currentCut: page.currentCut ?? null,
      modelVersion: page.modelVersion ?? null,
      entries,
      nextCursor: page.nextCursor
        ? encodePageCursor({ store: page.nextCursor, rank: cursor.rank + entries.length })
        : null,
    });
  };

  const detail = async (event: HttpEvent) => {
    const principal = principalOf(event);
    const { params } = parseRequest(getRosterEntryRoute, event);
    authorise(principal, params.comuna);
    const entry = await roster.get(params.comuna, params.childId);
    if (!entry)
      throw new HttpError(
        404,
        'not_found',
        `el niño ${params.childId} no está en la nómina de la comuna ${params.comuna}`,
      );
    return reply(getRosterEntryRoute, 200, present(entry));
  };

  const route = httpHandler(logger, async (event) => {
    switch (event.routeKey) {
      case routeKeyOf(listRosterRoute):
        return list(event);
      case routeKeyOf(getRosterEntryRoute):
        return detail(event);
      default:
        throw new HttpError(404, 'no_route', `no existe la ruta ${event.routeKey}`);
    }
  });
  return middy(route).use(injectLambdaContext(logger));
}

function present(entry: RosterEntry) {
  return {
    childId: entry.childId,
    origin: entry.origin,
    provisional: entry.provisional,
    cut: entry.cut ?? null,
    probability: entry.probability ?? null,
    ventile: entry.ventile ?? null,
    reasons: entry.reasons ?? [],
    demotion: entry.demotion ?? null,
    modelVersion: entry.modelVersion ?? null,
    scoredAt: entry.scoredAt ?? null,
    alerts: (entry.alerts ?? []).map((a) => ({
      alertId: a.alertId,
      riskFactor: riskFactorView(a.riskFactor),
      urgent: a.urgent,
      state: a.state,
      receivedAt: a.receivedAt,
      repeatReports: a.repeatAlertIds.length,
    })),
    case: entry.case
      ? {
          caseId: entry.case.caseId,
          state: entry.case.state,
          overdueAgreements:
            entry.case.openAgreementsDue !== null &&
            entry.case.openAgreementsDue < new Date().toISOString().slice(0, 10),
        }
      : null,
  };
}

function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodePageCursor(text: string): { store: string; rank: number } {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<PageCursor>;
    if (typeof value.store === 'string' && Number.isInteger(value.rank) && (value.rank ?? 0) >= 1) {
      return { store: value.store, rank: value.rank as number };
    }
  } catch {
    // answered below
  }
  throw new HttpError(400, 'invalid_cursor', 'el cursor no es uno que esta API haya entregado');
}

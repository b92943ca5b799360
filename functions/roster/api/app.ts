/**
 * Roster API: `GET /v1/comunas/{comuna}/roster` (the nómina, paged, in priority order) and
 * `GET /v1/comunas/{comuna}/roster/{childId}` (one entry with its reasons and alerts). Entries carry
 * pseudonyms only; the caller must hold a role allowed to read that comuna's roster.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoDocumentClient } from '../../shared/aws-clients';
import { isAllowed } from '../../shared/domain/access';
import { findComuna } from '../../shared/domain/comunas';
import { CHILD_ID_PATTERN } from '../../shared/domain/pseudonym';
import { endpointEnvSchema, parseEnv } from '../../shared/env';
import type { HttpEvent } from '../../shared/http';
import { HttpError, httpHandler, json, parseWith, principalOf } from '../../shared/http';
import { createLogger } from '../../shared/logger';
import { DynamoRosterStore } from '../adapters/dynamo-roster-store';
import type { RosterEntry } from '../domain/roster';
import { InvalidCursorError } from '../domain/roster';

const envSchema = endpointEnvSchema.extend({ ROSTER_TABLE: z.string().min(1) });

const comunaParam = z
  .string()
  .regex(/^\d{5}$/, 'must be a 5-digit CUT code')
  .refine((c) => findComuna(c) !== undefined, 'not a SAN comuna');

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2048).optional(),
});

/** API cursor: the store's cursor plus the rank of the next entry. */
interface PageCursor {
  readonly store: string;
  readonly rank: number;
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-roster-api');
  const roster = new DynamoRosterStore(dynamoDocumentClient(env), env.ROSTER_TABLE);

  const authorise = (event: HttpEvent): string => {
    const principal = principalOf(event);
    const comuna = parseWith(comunaParam, event.pathParameters?.comuna, 'path.comuna');
    if (!isAllowed(principal, 'roster:read', comuna)) {
      throw new HttpError(
        403,
        'forbidden',
        `role ${principal.role} cannot read the roster of comuna ${comuna}`,
      );
    }
    return comuna;
  };

  const list = async (event: HttpEvent) => {
    const comuna = authorise(event);
    const query = parseWith(listQuery, event.queryStringParameters ?? {}, 'query');
    const cursor = query.cursor ? decodePageCursor(query.cursor) : { store: undefined, rank: 1 };
    let page: Awaited<ReturnType<typeof roster.page>>;
    try {
      page = await roster.page(comuna, query.limit, cursor.store);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new HttpError(400, 'invalid_cursor', error.message);
      throw error;
    }
    const entries = page.entries.map((e, i) => ({ rank: cursor.rank + i, ...present(e) }));
    return json(200, {
      comuna: { cut: comuna, name: findComuna(comuna)?.name },
      currentCut: page.currentCut ?? null,
      modelVersion: page.modelVersion ?? null,
      entries,
      nextCursor: page.nextCursor
        ? encodePageCursor({ store: page.nextCursor, rank: cursor.rank + entries.length })
        : null,
    });
  };

  const detail = async (event: HttpEvent) => {
    const comuna = authorise(event);
    const childId = parseWith(
      z.string().regex(CHILD_ID_PATTERN, 'is not a child pseudonym'),
      event.pathParameters?.childId,
      'path.childId',
    );
    const entry = await roster.get(comuna, childId);
    if (!entry)
      throw new HttpError(404, 'not_found', `child ${childId} is not on the roster of comuna ${comuna}`);
    return json(200, present(entry));
  };

  const route = httpHandler(logger, async (event) => {
    switch (event.routeKey) {
      case 'GET /v1/comunas/{comuna}/roster':
        return list(event);
      case 'GET /v1/comunas/{comuna}/roster/{childId}':
        return detail(event);
      default:
        throw new HttpError(404, 'no_route', `no route ${event.routeKey}`);
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
    modelVersion: entry.modelVersion ?? null,
    scoredAt: entry.scoredAt ?? null,
    alerts: (entry.alerts ?? []).map((a) => ({
      alertId: a.alertId,
      riskFactor: a.riskFactor,
      urgent: a.urgent,
      state: a.state,
      receivedAt: a.receivedAt,
      repeatReports: a.repeatAlertIds.length,
    })),
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
  throw new HttpError(400, 'invalid_cursor', 'the cursor is not one this API issued');
}

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
import type { HttpEvent } from '../../shared/adapters/http';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { lazyPseudonymiser } from '../../shared/adapters/pseudonym-key';
import { routeKeyOf } from '../../shared/api/route';
import { roleMay } from '../../shared/domain/access';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import { parseRun } from '../../shared/domain/run';
import { AccessLogCursorError, DynamoAccessLog } from '../adapters/dynamo-access-log';
import { familyAccessReportRoute, getAccessLogRoute } from '../api/routes';
import type { AccessLogEntry, AccessLogReader } from '../domain/access';
import { familyReportText, maskedRun, OUTCOME_LABELS, PURPOSE_LABELS } from '../domain/family-report';

const envSchema = endpointEnvSchema.extend({
  ACCESS_LOG_TABLE: z.string().min(1),
  PSEUDONYM_KEY_SOURCE: z.string().min(1),
});

/** Entries read per page while gathering a child's whole trail for a report. */
const REPORT_PAGE = 500;

/** `ports.log` replaces the table (tests). */
export function createHandler(
  rawEnv: Readonly<Record<string, string | undefined>>,
  ports: { readonly log?: AccessLogReader; readonly pseudonymiser?: Pseudonymiser } = {},
) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-access-log-api');
  const log = ports.log ?? new DynamoAccessLog(dynamoDocumentClient(env), env.ACCESS_LOG_TABLE);
  const keyed = lazyPseudonymiser(env.PSEUDONYM_KEY_SOURCE, env, ports.pseudonymiser);

  const authorise = (event: HttpEvent) => {
    const principal = principalOf(event);
    if (!roleMay(principal, 'accesslog:read')) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede leer el registro de accesos: solo administrador_central`,
      );
    }
    return principal;
  };

  /** Every entry of a child's trail within the days, oldest first. */
  const trailOf = async (childId: string, from?: string, to?: string): Promise<AccessLogEntry[]> => {
    const entries: AccessLogEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await log.query({
        by: { childId },
        limit: REPORT_PAGE,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
      });
      entries.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor);
    return entries;
  };

  const familyReport = async (event: HttpEvent) => {
    const principal = authorise(event);
    const { body } = parseRequest(familyAccessReportRoute, event);
    const runs = body.runs.map((text, i) => {
      const parsed = parseRun(text);
      if (!parsed.ok) {
        // The RUN itself is not repeated: only where it is and why it is not one.
        throw new HttpError(422, 'invalid_run', `runs.${i}: ${parsed.reason}`, [
          { path: `body.runs.${i}`, message: parsed.reason },
        ]);
      }
      return parsed.run;
    });
    const p = await keyed();
    const generatedAt = new Date().toISOString();
    const children = await Promise.all(
      runs.map(async (run, i) => {
        const childId = p.child(run);
        return {
          position: i + 1,
          run: maskedRun(run),
          childId,
          entries: await trailOf(childId, body.from, body.to),
        };
      }),
    );
    logger.info('family access report', {
      subject: principal.subject,
      children: children.map((c) => c.childId),
    });
    return reply(familyAccessReportRoute, 200, {
      generatedAt,
      from: body.from ?? null,
      to: body.to ?? null,
      children: children.map((c) => ({
        position: c.position,
        run: c.run,
        childId: c.childId,
        requests: c.entries.length,
        granted: c.entries.filter((e) => e.outcome === 'granted').length,
        entries: c.entries.map((e) => ({
          at: e.at.split('#')[0] ?? e.at,
          subject: e.subject ?? null,
          role: e.role ?? null,
          comuna: e.comuna ?? null,
          purpose: e.purpose ?? null,
          purposeLabel: e.purpose ? PURPOSE_LABELS[e.purpose] : null,
          outcome: e.outcome,
          outcomeLabel: OUTCOME_LABELS[e.outcome],
        })),
      })),
      text: familyReportText(
        children,
        { ...(body.from ? { from: body.from } : {}), ...(body.to ? { to: body.to } : {}) },
        generatedAt,
      ),
    });
  };

  const route = httpHandler(logger, async (event) => {
    if (event.routeKey === routeKeyOf(familyAccessReportRoute)) return familyReport(event);
    if (event.routeKey !== routeKeyOf(getAccessLogRoute)) {
      throw new HttpError(404, 'no_route', `no existe la ruta ${event.routeKey}`);
    }
    const principal = authorise(event);
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

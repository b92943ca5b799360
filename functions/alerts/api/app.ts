/**
 * Alerts API:
 * - `GET /v1/alerts/{alertId}` tells where an alert went (the comuna whose OLN handles it, which may
 *   not be the one it was raised in), its state and when it was received; whoever reported it and
 *   the roles of the handling comuna see the report, its history and what they may do to it too
 *   (see `domain/alert-view.ts`). An alert the caller may not see answers exactly like one that
 *   does not exist.
 * - `GET /v1/comunas/{comuna}/alerts` lists the alerts a comuna handles, by state, risk factor and age.
 * - `GET /v1/comunas/{comuna}/notifications` lists the urgent-alert notices and escalations of a comuna.
 * - `POST /v1/alerts/{alertId}/transitions` moves an alert through its life cycle
 *   (`domain/alert-workflow.ts`) over the version read, and projects it onto the nómina.
 * - `POST /v1/alerts/{alertId}/identification` merges the alert's provisional child into the
 *   candidate a person at the OLN confirms (`domain/merge-child.ts`).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoCaseStore } from '../../cases/adapters/dynamo-case-store';
import { FINAL_STATES } from '../../cases/domain/case-workflow';
import { DynamoIdentityStore } from '../../identity/adapters/dynamo-identity-store';
import { DynamoRosterStore } from '../../roster/adapters/dynamo-roster-store';
import { dynamoDocumentClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import type { HttpEvent, HttpResult } from '../../shared/adapters/http';
import {
  etagOf,
  HttpError,
  httpHandler,
  ifMatchVersion,
  parseRequest,
  principalOf,
  reply,
} from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { CursorError } from '../../shared/adapters/page-cursor';
import { routeKeyOf } from '../../shared/api/route';
import type { Principal } from '../../shared/domain/access';
import { isAllowed } from '../../shared/domain/access';
import { comunaRef } from '../../shared/domain/comunas';
import { DynamoAlertStore } from '../adapters/dynamo-alert-store';
import { DynamoNoticeStore } from '../adapters/notices';
import type { StoredAlert } from '../domain/alert';
import { isOpen, riskFactorView } from '../domain/alert';
import { alertViewFor, reportView } from '../domain/alert-view';
import type { AlertWorkflowProblem } from '../domain/alert-workflow';
import { AlertWorkflowError, transitionAlert } from '../domain/alert-workflow';
import { MergeRefusedError, mergeProvisionalChild } from '../domain/merge-child';
import type { NoticeAudience } from '../domain/notifications';
import type { CaseLookup } from '../domain/ports';
import { projectAlert } from '../domain/projection';
import {
  getAlertRoute,
  identifyAlertChildRoute,
  listComunaAlertsRoute,
  listNotificationsRoute,
  transitionAlertRoute,
} from './routes';

const envSchema = endpointEnvSchema.extend({
  ALERTS_TABLE: z.string().min(1),
  OPEN_ALERTS_TABLE: z.string().min(1),
  ROSTER_TABLE: z.string().min(1),
  CASES_TABLE: z.string().min(1),
  IDENTITIES_TABLE: z.string().min(1),
  NOTIFICATIONS_TABLE: z.string().min(1),
});

const DAY_MS = 24 * 3600 * 1000;

/** How the API answers each refusal of the workflow: status and stable code (as the case routes do). */
const WORKFLOW_ANSWER: Readonly<Record<AlertWorkflowProblem, readonly [number, string]>> = {
  forbidden: [403, 'forbidden'],
  not_allowed_from_state: [409, 'transition_not_allowed'],
  is_repeat: [409, 'alert_is_repeat'],
  case_required: [422, 'case_required'],
  case_not_open: [409, 'case_not_open'],
};

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-alerts-api');
  const db = dynamoDocumentClient(env);
  const alerts = new DynamoAlertStore(db, env.ALERTS_TABLE, env.OPEN_ALERTS_TABLE);
  const roster = new DynamoRosterStore(db, env.ROSTER_TABLE);
  const caseStore = new DynamoCaseStore(db, env.CASES_TABLE);
  const notices = new DynamoNoticeStore(db, env.NOTIFICATIONS_TABLE);
  const mergeDeps = {
    alerts,
    roster,
    directory: new DynamoIdentityStore(db, env.IDENTITIES_TABLE),
    hasCase: async (childId: string) => (await caseStore.casesOfChild(childId)).length > 0,
  };
  const cases: CaseLookup = {
    openCasesOf: async (childId, comuna) =>
      (await caseStore.casesOfChild(childId))
        .filter((c) => c.comuna === comuna && !FINAL_STATES.has(c.state))
        .map((c) => c.caseId),
  };

  const notFound = (alertId: string) =>
    new HttpError(
      404,
      'not_found',
      `no hay una alerta ${alertId} que usted pueda ver; si acaba de enviarla, espere unos segundos a que se procese`,
    );

  /**
   * The alert `principal` changes over version `read`: who may not read it learns nothing of it
   * (404), who may read it but not manage it is told so (403), a changed alert answers 412.
   */
  const managedAlert = async (principal: Principal, alertId: string, read: number): Promise<StoredAlert> => {
    const alert = await alerts.get(alertId);
    if (!alert || !alertViewFor(principal, alert)) throw notFound(alertId);
    if (!isAllowed(principal, 'alert:manage', alert.comuna)) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede gestionar alertas de la comuna ${alert.comuna}`,
      );
    }
    const current = alert.version ?? 1;
    if (current !== read) throw stale(current);
    return alert;
  };

  const getAlert = async (event: HttpEvent): Promise<HttpResult> => {
    const principal = principalOf(event);
    const { alertId } = parseRequest(getAlertRoute, event).params;
    const alert = await alerts.get(alertId);
    const primary = alert?.repeatOf !== undefined ? await alerts.get(alert.repeatOf) : undefined;
    const view = alert ? alertViewFor(principal, alert, primary) : undefined;
    if (!alert || !view) throw notFound(alertId);
    return reply(getAlertRoute, 200, view, { etag: etagOf(alert.version ?? 1) });
  };

  const listAlerts = async (event: HttpEvent): Promise<HttpResult> => {
    const principal = principalOf(event);
    const { params, query } = parseRequest(listComunaAlertsRoute, event);
    if (!isAllowed(principal, 'alert:read', params.comuna)) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede ver las alertas de la comuna ${params.comuna}`,
      );
    }
    if (
      query.minAgeDays !== undefined &&
      query.maxAgeDays !== undefined &&
      query.minAgeDays > query.maxAgeDays
    ) {
      const message = 'minAgeDays no puede ser mayor que maxAgeDays';
      throw new HttpError(400, 'validation_failed', message, [{ path: 'query.minAgeDays', message }]);
    }
    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY_MS).toISOString();
    const page = await withCursor(() =>
      alerts.listByComuna(params.comuna, {
        ...(query.state !== undefined ? { state: query.state } : { openOnly: query.open === true }),
        ...(query.riskFactor !== undefined ? { riskFactor: query.riskFactor } : {}),
        ...(query.urgent !== undefined ? { urgent: query.urgent } : {}),
        ...(query.minAgeDays !== undefined ? { receivedBefore: ago(query.minAgeDays) } : {}),
        ...(query.maxAgeDays !== undefined ? { receivedAfter: ago(query.maxAgeDays) } : {}),
        includeRepeats: query.includeRepeats === true,
        limit: query.limit,
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      }),
    );
    return reply(listComunaAlertsRoute, 200, {
      alerts: page.alerts.map((a) => reportView(principal, a)),
      nextCursor: page.nextCursor ?? null,
    });
  };

  const moveAlert = async (event: HttpEvent): Promise<HttpResult> => {
    const principal = principalOf(event);
    const { params, body } = parseRequest(transitionAlertRoute, event);
    const read = ifMatchVersion(event, 'de la alerta');
    const alert = await managedAlert(principal, params.alertId, read);
    let changed: StoredAlert;
    try {
      const openCases = body.action === 'iniciar' ? await cases.openCasesOf(alert.childId, alert.comuna) : [];
      changed = transitionAlert(alert, body, principal, new Date().toISOString(), openCases);
    } catch (error) {
      if (error instanceof AlertWorkflowError) {
        const [status, code] = WORKFLOW_ANSWER[error.problem];
        throw new HttpError(
          status,
          code,
          error.message,
          error.problem === 'case_required' ? [{ path: 'body.caseId', message: error.message }] : undefined,
          error.problem === 'not_allowed_from_state' ? { allowed: [...error.allowed] } : {},
        );
      }
      throw error;
    }
    if (!(await alerts.update(changed, read))) {
      throw stale((await alerts.get(alert.alertId))?.version ?? read + 1);
    }
    const stored: StoredAlert = { ...changed, version: read + 1 };
    if (!isOpen(stored.state)) await alerts.releaseOpen(stored);
    await projectAlert(roster, stored);
    logger.info('alert moved', {
      alertId: stored.alertId,
      comuna: stored.comuna,
      action: body.action,
      from: alert.state,
      to: stored.state,
    });
    return reply(transitionAlertRoute, 200, reportView(principal, stored), { etag: etagOf(read + 1) });
  };

  const identifyChild = async (event: HttpEvent): Promise<HttpResult> => {
    const principal = principalOf(event);
    const { params, body } = parseRequest(identifyAlertChildRoute, event);
    const read = ifMatchVersion(event, 'de la alerta');
    const alert = await managedAlert(principal, params.alertId, read);
    if (alert.awaitingIdentity === undefined) {
      throw new HttpError(
        409,
        'child_identified',
        `el niño de la alerta ya está identificado (${alert.identification?.method ?? 'run'}); no hay niño provisional que unir`,
      );
    }
    const candidates = alert.identification?.candidates ?? [];
    if (!candidates.some((c) => c.childId === body.childId)) {
      const message = `${body.childId} no es uno de los candidatos de la alerta: ${candidates.map((c) => c.childId).join(', ') || 'no tiene candidatos'}`;
      throw new HttpError(422, 'not_a_candidate', message, [{ path: 'body.childId', message }]);
    }
    try {
      await mergeProvisionalChild(mergeDeps, {
        from: alert.childId,
        to: body.childId,
        method: 'confirmada',
        at: new Date().toISOString(),
        by: { subject: principal.subject, role: principal.role },
        reason: body.reason,
      });
    } catch (error) {
      if (error instanceof MergeRefusedError) throw new HttpError(409, error.code, error.message);
      throw error;
    }
    const after = (await alerts.get(alert.alertId)) ?? alert;
    logger.info('provisional child confirmed', { alertId: alert.alertId, comuna: alert.comuna });
    return reply(identifyAlertChildRoute, 200, reportView(principal, after), {
      etag: etagOf(after.version ?? 1),
    });
  };

  const listNotices = async (event: HttpEvent): Promise<HttpResult> => {
    const principal = principalOf(event);
    const { params, query } = parseRequest(listNotificationsRoute, event);
    if (!isAllowed(principal, 'notification:read', params.comuna)) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede ver los avisos de la comuna ${params.comuna}`,
      );
    }
    const audiences: NoticeAudience[] =
      principal.role === 'coordinador'
        ? ['coordinador']
        : principal.role === 'coordinador_regional'
          ? ['coordinador_regional']
          : ['coordinador', 'coordinador_regional'];
    const page = await withCursor(() =>
      notices.listByComuna(params.comuna, {
        audiences,
        limit: query.limit,
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      }),
    );
    return reply(listNotificationsRoute, 200, {
      notifications: page.notices.map((n) => ({
        noticeId: n.noticeId,
        kind: n.kind,
        audience: n.audience,
        comuna: comunaRef(n.comuna),
        alertId: n.alertId,
        childId: n.childId,
        riskFactor: riskFactorView(n.riskFactor),
        dueAt: n.dueAt,
        text: n.text,
      })),
      nextCursor: page.nextCursor ?? null,
    });
  };

  const handlers: Readonly<Record<string, (event: HttpEvent) => Promise<HttpResult>>> = {
    [routeKeyOf(getAlertRoute)]: getAlert,
    [routeKeyOf(listComunaAlertsRoute)]: listAlerts,
    [routeKeyOf(transitionAlertRoute)]: moveAlert,
    [routeKeyOf(identifyAlertChildRoute)]: identifyChild,
    [routeKeyOf(listNotificationsRoute)]: listNotices,
  };

  const route = httpHandler(logger, async (event) => {
    const handler = handlers[event.routeKey];
    if (!handler) throw new HttpError(404, 'no_route', `no existe la ruta ${event.routeKey}`);
    return handler(event);
  });
  return middy(route).use(injectLambdaContext(logger));
}

/** Runs a listing, answering a cursor it does not recognise as a bad `query.cursor`. */
async function withCursor<T>(list: () => Promise<T>): Promise<T> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof CursorError) {
      throw new HttpError(400, 'validation_failed', error.message, [
        { path: 'query.cursor', message: error.message },
      ]);
    }
    throw error;
  }
}

function stale(current: number): HttpError {
  return new HttpError(
    412,
    'stale_version',
    `la alerta cambió desde que la leyó (versión actual ${current}): vuelva a leerla y repita el cambio sobre la versión actual`,
    undefined,
    { currentVersion: current },
    { etag: etagOf(current) },
  );
}

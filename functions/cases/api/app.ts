/**
 * Cases API: the OLN's intake queue and decisions, its cases and their workflow, the work recorded
 * on them, assignment under the caseload caps and the waiting list (`routes.ts`). Every route checks
 * the caller's permission for the comuna first; every change of a case names the version it read
 * (`If-Match`) and answers the case with its new `ETag`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoRosterStore } from '../../roster/adapters/dynamo-roster-store';
import { S3CuratedReader } from '../../score/adapters/s3-curated-reader';
import { dynamoDocumentClient, s3Client } from '../../shared/adapters/aws-clients';
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
import type { ParsedRequest, RouteDef } from '../../shared/api/route';
import { routeKeyOf } from '../../shared/api/route';
import type { Action } from '../../shared/domain/access';
import { isAllowed } from '../../shared/domain/access';
import { comunaRef } from '../../shared/domain/comunas';
import type { ProtectionRecord } from '../../shared/domain/curated-records';
import { cutKnowledgeDate } from '../../shared/domain/dates';
import { teamOf } from '../../shared/domain/oln-teams';
import { DynamoCaseloadStore, DynamoCaseStore, DynamoIntakeStore } from '../adapters/dynamo-case-store';
import type { CaseRecord, VersionedCase } from '../domain/case';
import * as ops from '../domain/case-operations';
import { CaseError } from '../domain/case-operations';
import type { CaseDeps } from '../domain/case-service';
import {
  assign,
  caseOf,
  changeCase,
  comunaOverdueAgreements,
  itemId,
  StaleVersionError,
  transitionCase,
  waitingList,
} from '../domain/case-service';
import type { CaseActor } from '../domain/case-workflow';
import type { IntakeDecision } from '../domain/intake';
import { DISCARD_REASON_LABELS, intakeRates } from '../domain/intake';
import { decide, intakeQueue } from '../domain/intake-service';
import { outcomesByProgram } from '../domain/outcomes';
import { PROGRAM_CATALOGUE, PROGRAMS } from '../domain/referrals';
import * as r from './routes';
import { seesWholeCase, summaryOf, viewOf } from './views';

const envSchema = endpointEnvSchema.extend({
  ROSTER_TABLE: z.string().min(1),
  CASES_TABLE: z.string().min(1),
  CASELOADS_TABLE: z.string().min(1),
  INTAKE_TABLE: z.string().min(1),
  CURATED_BUCKET: z.string().min(3),
});

const STATUS: Readonly<Record<CaseError['problem'], number>> = {
  forbidden: 403,
  not_found: 404,
  invalid: 422,
  state: 409,
  precondition: 409,
  limit: 409,
};

/** A case error as the API answers it. */
function httpErrorOf(error: CaseError): HttpError {
  const { field } = error.extra as { field?: string };
  // Only the fields the error body documents; the message says the rest.
  const extra = Object.fromEntries(Object.entries(error.extra).filter(([key]) => ERROR_FIELDS.has(key)));
  return new HttpError(
    STATUS[error.problem],
    error.code,
    error.message,
    typeof field === 'string' ? [{ path: field, message: error.message }] : undefined,
    extra,
  );
}

const ERROR_FIELDS = new Set(['allowed', 'missing', 'caseId', 'cap', 'load', 'offeredTo']);

const etag = etagOf;
const readVersion = (event: HttpEvent): number => ifMatchVersion(event, 'del caso');

function decisionView(d: IntakeDecision) {
  return {
    childId: d.childId,
    kind: d.kind,
    reason: d.reason,
    reasonLabel: d.reason ? DISCARD_REASON_LABELS[d.reason] : null,
    note: d.note,
    referralRequired: d.referralRequired,
    origin: d.origin,
    probability: d.probability,
    ventile: d.ventile,
    modelVersion: d.modelVersion,
    enteredAt: d.enteredAt,
    daysOnRoster: d.daysOnRoster,
    by: { subject: d.by.subject, role: d.by.role },
    at: d.at,
  };
}

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-cases-api');
  const db = dynamoDocumentClient(env);
  const roster = new DynamoRosterStore(db, env.ROSTER_TABLE);
  const deps: CaseDeps = {
    roster,
    cases: new DynamoCaseStore(db, env.CASES_TABLE),
    caseloads: new DynamoCaseloadStore(db, env.CASELOADS_TABLE),
    intake: new DynamoIntakeStore(db, env.INTAKE_TABLE),
    team: (comuna) => teamOf(comuna),
    now: () => new Date(),
  };
  const today = (): string => deps.now().toISOString().slice(0, 10);
  const curated = new S3CuratedReader(s3Client(env), env.CURATED_BUCKET);

  /** Every case of the comuna, page by page. */
  const allCases = async (comuna: string): Promise<CaseRecord[]> => {
    const out: CaseRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.cases.listByComuna(comuna, { limit: 200, ...(cursor ? { cursor } : {}) });
      for (const { record } of page.cases) out.push(record);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  };

  /** The request, parsed, with the caller allowed `action` on the comuna of its path. */
  const authorised = <R extends RouteDef>(route: R, event: HttpEvent) => {
    const principal = principalOf(event);
    const request = parseRequest(route, event);
    const comuna = (request.params as { comuna: string }).comuna;
    const action = (route.access as { permission: Action }).permission;
    if (!isAllowed(principal, action, comuna)) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede usar ${route.summary.toLowerCase()} en la comuna ${comuna}`,
      );
    }
    const actor: CaseActor = { subject: principal.subject, role: principal.role };
    return { ...request, principal, comuna, actor };
  };

  /**
   * The case as the actor may see it; the whole view suggests programs from the facts the child's
   * last scoring wrote (one read of the roster entry), the summary reads nothing more.
   */
  const present = async (stored: VersionedCase, actor: CaseActor) => {
    const { comuna, childId } = stored.record;
    const facts = seesWholeCase(actor, stored.record) ? await roster.factsOf(comuna, childId) : undefined;
    const team = teamOf(comuna);
    return viewOf(stored, actor, today(), { ...(facts ? { facts } : {}), ...(team ? { team } : {}) });
  };

  /** A change of a case over the version in `If-Match`, answered with the case and its ETag. */
  const change = async <R extends RouteDef>(
    route: R,
    event: HttpEvent,
    apply: (request: ParsedRequest<R>, c: CaseRecord, actor: CaseActor, at: string) => CaseRecord,
  ): Promise<HttpResult> => {
    const request = authorised(route, event);
    const { comuna, actor } = request;
    const version = readVersion(event);
    const at = deps.now().toISOString();
    const caseId = (request.params as { caseId: string }).caseId;
    const changed = await changeCase(deps, comuna, caseId, version, (c) => apply(request, c, actor, at));
    return reply(r.getCaseRoute, 200, await present(changed, actor), { etag: etag(changed.version) });
  };

  const handlers: Record<string, (event: HttpEvent) => Promise<HttpResult>> = {
    [routeKeyOf(r.listIntakeRoute)]: async (event) => {
      const { comuna, query } = authorised(r.listIntakeRoute, event);
      const items = await intakeQueue(deps, comuna);
      const entries = items
        .map((i) => ({
          childId: i.entry.childId,
          origin: i.entry.origin,
          probability: i.entry.probability ?? null,
          ventile: i.entry.ventile ?? null,
          urgent: i.urgent,
          enteredAt: i.enteredAt,
          discardDeadline: i.discardDeadline,
          status: i.decision
            ? ('decidida' as const)
            : i.overdue
              ? ('vencida' as const)
              : ('pendiente' as const),
          decision: i.decision ? decisionView(i.decision) : null,
        }))
        .filter((e) => query.status === 'todas' || e.status === query.status);
      return reply(r.listIntakeRoute, 200, { comuna: comunaRef(comuna), entries });
    },

    [routeKeyOf(r.decideIntakeRoute)]: async (event) => {
      const { comuna, actor, params, body } = authorised(r.decideIntakeRoute, event);
      const result = await decide(deps, comuna, params.childId, body, actor);
      logger.info('intake decision', { comuna, childId: params.childId, kind: result.decision.kind });
      return reply(
        r.decideIntakeRoute,
        201,
        {
          decision: decisionView(result.decision),
          case: result.case ? await present(result.case, actor) : null,
        },
        result.case ? { etag: etag(result.case.version) } : {},
      );
    },

    [routeKeyOf(r.getIntakeRatesRoute)]: async (event) => {
      const { comuna } = authorised(r.getIntakeRatesRoute, event);
      const [decisions, queue] = await Promise.all([deps.intake.all(comuna), intakeQueue(deps, comuna)]);
      const rates = intakeRates(decisions);
      return reply(r.getIntakeRatesRoute, 200, {
        comuna: comunaRef(comuna),
        ...rates,
        discardsByReason: { ...rates.discardsByReason },
        overdue: queue.filter((q) => q.overdue).length,
      });
    },

    [routeKeyOf(r.listCasesRoute)]: async (event) => {
      const { comuna, query, actor } = authorised(r.listCasesRoute, event);
      const worker = query.assignedTo === 'me' ? actor.subject : query.assignedTo;
      let page: Awaited<ReturnType<typeof deps.cases.listByComuna>>;
      try {
        page = await deps.cases.listByComuna(comuna, {
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.state ? { state: query.state } : {}),
          ...(worker !== undefined ? { worker } : {}),
        });
      } catch (error) {
        if (error instanceof Error && error.name === 'StoredCaseError') {
          throw new HttpError(400, 'invalid_cursor', 'el cursor no es uno que esta API haya entregado');
        }
        throw error;
      }
      const day = today();
      const cases = page.cases.map((c) => summaryOf(c, day));
      return reply(r.listCasesRoute, 200, { cases, nextCursor: page.nextCursor ?? null });
    },

    [routeKeyOf(r.getCaseRoute)]: async (event) => {
      const { comuna, actor, params } = authorised(r.getCaseRoute, event);
      const stored = await caseOf(deps, comuna, params.caseId);
      return reply(r.getCaseRoute, 200, await present(stored, actor), { etag: etag(stored.version) });
    },

    [routeKeyOf(r.transitionCaseRoute)]: async (event) => {
      const { comuna, actor, params, body } = authorised(r.transitionCaseRoute, event);
      const version = readVersion(event);
      const result = await transitionCase(
        deps,
        comuna,
        params.caseId,
        version,
        body.action,
        body.reason ?? null,
        actor,
      );
      logger.info('case transition', {
        comuna,
        caseId: params.caseId,
        action: body.action,
        to: result.case.record.state,
      });
      return reply(
        r.transitionCaseRoute,
        200,
        { case: await present(result.case, actor), freed: result.freed.map((f) => ({ ...f })) },
        { etag: etag(result.case.version) },
      );
    },

    [routeKeyOf(r.assignCaseRoute)]: async (event) => {
      const { comuna, actor, params, body } = authorised(r.assignCaseRoute, event);
      const version = readVersion(event);
      const result = await assign(deps, comuna, params.caseId, version, body.role, body.worker, actor);
      if (!result.assigned) {
        const hold = result.hold;
        const roleName = body.role === 'gestor_casos' ? 'gestor de casos' : 'terapeuta familiar';
        throw new HttpError(
          409,
          hold.because === 'cap' ? 'caseload_cap_reached' : 'waiting_list_first',
          hold.because === 'cap'
            ? `${body.worker} ya tiene ${hold.load} ${body.role === 'gestor_casos' ? 'casos activos' : 'familias'} y el tope del ${roleName} es ${hold.cap}: el caso quedó en la lista de espera (lugar ${result.position})`
            : `otros casos esperan un ${roleName}: el próximo cupo es para el caso ${hold.offeredTo}; este caso quedó en la lista de espera (lugar ${result.position})`,
          undefined,
          {
            ...(hold.because === 'cap' ? { cap: hold.cap, load: hold.load } : { offeredTo: hold.offeredTo }),
            waitingPosition: result.position,
          },
          { etag: etag(result.case.version) },
        );
      }
      logger.info('case assigned', { comuna, caseId: params.caseId, role: body.role });
      return reply(r.assignCaseRoute, 200, await present(result.case, actor), {
        etag: etag(result.case.version),
      });
    },

    [routeKeyOf(r.getWaitingListRoute)]: async (event) => {
      const { comuna } = authorised(r.getWaitingListRoute, event);
      const lists = await waitingList(deps, comuna);
      const rows = (items: (typeof lists)['gestor_casos']) =>
        items.map((w, i) => ({
          position: i + 1,
          caseId: w.caseId,
          childId: w.childId,
          urgent: w.urgent,
          ventile: w.ventile ?? null,
          waitingSince: w.waitingSince,
        }));
      return reply(r.getWaitingListRoute, 200, {
        comuna: comunaRef(comuna),
        lists: { gestor_casos: rows(lists.gestor_casos), terapeuta_familiar: rows(lists.terapeuta_familiar) },
      });
    },

    [routeKeyOf(r.recordConsentRoute)]: (event) =>
      change(r.recordConsentRoute, event, ({ body }, c, actor, at) =>
        ops.recordConsent(c, body, itemId('consent'), actor, at),
      ),
    [routeKeyOf(r.withdrawConsentRoute)]: (event) =>
      change(r.withdrawConsentRoute, event, ({ params, body }, c, actor) =>
        ops.withdrawConsent(c, params.consentId, body.withdrawnOn, body.note, actor),
      ),
    [routeKeyOf(r.recordNcfasRoute)]: (event) =>
      change(r.recordNcfasRoute, event, ({ params, body }, c, actor, at) =>
        ops.recordNcfas(c, params.kind, body.ratings, body.assessedOn, actor, at.slice(0, 10)),
      ),
    [routeKeyOf(r.setPafRoute)]: (event) =>
      change(r.setPafRoute, event, ({ body }, c, actor) => ops.setPaf(c, body.goals, actor)),
    [routeKeyOf(r.addSessionRoute)]: (event) =>
      change(r.addSessionRoute, event, ({ body }, c, actor, at) =>
        ops.addSession(c, body, actor, at.slice(0, 10)),
      ),
    [routeKeyOf(r.addAgreementRoute)]: (event) =>
      change(r.addAgreementRoute, event, ({ body }, c, actor, at) => {
        const { sessionOn, ...input } = body;
        return ops.addAgreement(c, input, sessionOn, itemId('acuerdo'), actor, at.slice(0, 10));
      }),
    [routeKeyOf(r.updateAgreementRoute)]: (event) =>
      change(r.updateAgreementRoute, event, ({ params, body }, c, actor) =>
        ops.updateAgreement(c, params.agreementId, body, actor),
      ),
    [routeKeyOf(r.addReferralRoute)]: (event) =>
      change(r.addReferralRoute, event, ({ body }, c, actor, at) =>
        ops.addReferral(
          c,
          body.program,
          body.withPersonalData,
          body.note ?? null,
          itemId('derivacion'),
          actor,
          at,
        ),
      ),
    [routeKeyOf(r.moveReferralRoute)]: (event) =>
      change(r.moveReferralRoute, event, ({ params, body }, c, actor, at) =>
        ops.moveReferral(c, params.referralId, body.state, body.note ?? null, actor, at),
      ),

    [routeKeyOf(r.listOverdueAgreementsRoute)]: async (event) => {
      const { comuna } = authorised(r.listOverdueAgreementsRoute, event);
      const day = today();
      const overdue = await comunaOverdueAgreements(deps, comuna);
      return reply(r.listOverdueAgreementsRoute, 200, {
        comuna: comunaRef(comuna),
        agreements: overdue.map((a) => ({
          caseId: a.caseId,
          childId: a.childId,
          agreementId: a.agreementId,
          institution: a.institution,
          dueOn: a.dueOn,
          status: a.status,
          daysOverdue: Math.round((Date.parse(day) - Date.parse(a.dueOn)) / 86_400_000),
        })),
      });
    },

    [routeKeyOf(r.getOutcomesRoute)]: async (event) => {
      const { comuna } = authorised(r.getOutcomesRoute, event);
      // The comuna's latest scored cut: its protection extract is the newest the system holds.
      const page = await deps.roster.page(comuna, 1);
      const cut = page.currentCut;
      const entries = new Map<string, string[]>();
      if (cut) {
        for (const record of (await curated.sourceRecords(cut, 'proteccion', comuna)) as ProtectionRecord[]) {
          entries.set(record.childId, [...(entries.get(record.childId) ?? []), record.entryDate]);
        }
      }
      const coveredUntil = cut ? (cutKnowledgeDate(cut) ?? null) : null;
      const outcomes = outcomesByProgram(await allCases(comuna), entries, coveredUntil ?? undefined);
      return reply(r.getOutcomesRoute, 200, {
        comuna: comunaRef(comuna),
        protectionCut: cut ?? null,
        coveredUntil,
        all: outcomes.all,
        programs: outcomes.programs.map((p) => ({ ...p })),
      });
    },

    [routeKeyOf(r.listProgramsRoute)]: async (event) => {
      const { comuna } = authorised(r.listProgramsRoute, event);
      const team = teamOf(comuna);
      const inUse = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await deps.cases.listByComuna(comuna, { limit: 200, ...(cursor ? { cursor } : {}) });
        for (const { record } of page.cases) {
          for (const ref of record.referrals) {
            if (ref.state === 'aceptada') inUse.set(ref.program, (inUse.get(ref.program) ?? 0) + 1);
          }
        }
        cursor = page.nextCursor;
      } while (cursor);
      return reply(r.listProgramsRoute, 200, {
        comuna: comunaRef(comuna),
        programs: PROGRAMS.map((program) => ({
          program,
          name: PROGRAM_CATALOGUE[program].name,
          target: PROGRAM_CATALOGUE[program].target,
          places: team?.programPlaces[program] ?? null,
          inUse: inUse.get(program) ?? 0,
        })),
      });
    },
  };

  const route = httpHandler(logger, async (event) => {
    const handler = handlers[event.routeKey];
    if (!handler) throw new HttpError(404, 'no_route', `no existe la ruta ${event.routeKey}`);
    try {
      return await handler(event);
    } catch (error) {
      if (error instanceof CaseError) throw httpErrorOf(error);
      if (error instanceof StaleVersionError) {
        throw new HttpError(
          412,
          'stale_version',
          error.message,
          undefined,
          { currentVersion: error.current },
          {
            etag: etag(error.current),
          },
        );
      }
      throw error;
    }
  });
  return middy(route).use(injectLambdaContext(logger));
}

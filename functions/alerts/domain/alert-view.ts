/**
 * What `GET /v1/alerts/{alertId}` shows, and to whom. The alert's whole report (child pseudonym,
 * risk factor, description) is for the roles of the comuna that handles it and for whoever
 * reported it; the roles of the comuna it was raised in see only where it went and its state, so
 * that no report about a child of another comuna reaches them beyond that.
 */

import type { MatchCandidate } from '../../identity/domain/matching';
import type { Principal } from '../../shared/domain/access';
import { isAllowed } from '../../shared/domain/access';
import { type ComunaRef, comunaRef } from '../../shared/domain/comunas';
import type {
  AlertAction,
  AlertActor,
  AlertHistoryEntry,
  AlertState,
  IdentificationMethod,
  RiskFactorView,
  StoredAlert,
} from './alert';
import { riskFactorView } from './alert';
import { alertActionsFor } from './alert-workflow';

/** Where the alert went and how it stands: no personal data, nothing of the report itself. */
export interface AlertRoutingView {
  readonly alertId: string;
  readonly state: AlertState;
  /** The comuna whose OLN handles the alert. */
  readonly comuna: ComunaRef;
  readonly raisedInComuna: ComunaRef;
  readonly receivedAt: string;
}

export interface AlertReportView extends AlertRoutingView {
  readonly childId: string;
  readonly riskFactor: RiskFactorView;
  readonly urgent: boolean;
  readonly observedAt: string | null;
  readonly description: string;
  readonly repeatOf: string | null;
  readonly reportedBy: { readonly role: string; readonly institution: string };
  readonly caseId: string | null;
  readonly acknowledgedAt: string | null;
  readonly closedAt: string | null;
  readonly history: readonly AlertHistoryEntry[];
  /** What the caller may do to it now (none for a repeat report, nor for whom may not manage it). */
  readonly actions: readonly AlertAction[];
  readonly version: number;
  readonly identification: {
    readonly method: IdentificationMethod;
    readonly provisionalChildId: string | null;
    readonly candidates: readonly Pick<MatchCandidate, 'childId' | 'score' | 'agreement'>[];
    readonly awaitingIdentity: boolean;
    readonly at: string;
    readonly by: AlertActor | null;
    readonly reason: string | null;
  };
}

/** Where `alert` went and how it stands, showing `state`. */
function routingView(alert: StoredAlert, state: AlertState): AlertRoutingView {
  return {
    alertId: alert.alertId,
    state,
    comuna: comunaRef(alert.comuna),
    raisedInComuna: comunaRef(alert.raisedInComuna),
    receivedAt: alert.receivedAt,
  };
}

/**
 * The view of `alert` that `principal` may see; undefined when it may see none. A repeat report
 * shows the state of `primary`, the alert it repeats, whose life cycle it follows.
 */
export function alertViewFor(
  principal: Principal,
  alert: StoredAlert,
  primary?: StoredAlert,
): AlertRoutingView | AlertReportView | undefined {
  const reporter = principal.subject === alert.reportedBy.subject;
  const handling = isAllowed(principal, 'alert:read', alert.comuna);
  if (!reporter && !handling && !isAllowed(principal, 'alert:read', alert.raisedInComuna)) return undefined;
  const routing = routingView(alert, alert.repeatOf !== undefined && primary ? primary.state : alert.state);
  if (!reporter && !handling) return routing;
  return reportView(principal, alert, routing);
}

/** The whole report, for the roles of the comuna that handles it (a list) or its reporter. */
export function reportView(
  principal: Principal,
  alert: StoredAlert,
  routing: AlertRoutingView = routingView(alert, alert.state),
): AlertReportView {
  const manages = isAllowed(principal, 'alert:manage', alert.comuna);
  return {
    ...routing,
    childId: alert.childId,
    riskFactor: riskFactorView(alert.riskFactor),
    urgent: alert.urgent,
    observedAt: alert.observedAt ?? null,
    description: alert.description,
    repeatOf: alert.repeatOf ?? null,
    reportedBy: { role: alert.reportedBy.role, institution: alert.reportedBy.institution },
    caseId: alert.caseId ?? null,
    acknowledgedAt: alert.acknowledgedAt ?? null,
    closedAt: alert.closedAt ?? null,
    history: alert.history ?? [],
    actions: manages ? alertActionsFor(alert, principal) : [],
    version: alert.version ?? 1,
    identification: identificationView(alert),
  };
}

/** How the child was found; an alert filed before matching was found by its RUN. */
function identificationView(alert: StoredAlert): AlertReportView['identification'] {
  const i = alert.identification;
  return {
    method: i?.method ?? 'run',
    provisionalChildId: i?.provisionalChildId ?? null,
    // Candidates are for the people who confirm one, while there is one to confirm.
    candidates:
      alert.awaitingIdentity !== undefined
        ? (i?.candidates ?? []).map((c) => ({ childId: c.childId, score: c.score, agreement: c.agreement }))
        : [],
    awaitingIdentity: alert.awaitingIdentity !== undefined,
    at: i?.at ?? alert.receivedAt,
    by: i?.by ?? null,
    reason: i?.reason ?? null,
  };
}

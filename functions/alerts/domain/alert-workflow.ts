/**
 * The life cycle of an alert: the SAN alert states as one state machine, the actions that move an
 * alert between them, the OLN roles that may take each, and what each needs (a reason always, the
 * case that handles the alert to put it in ejecución). Every transition is kept on the alert with
 * who took it, when and why. A repeat report follows the alert it repeats and has no life of its own.
 */
import type { Role } from '../../shared/domain/access';
import type { AlertAction, AlertActor, AlertHistoryEntry, AlertState, StoredAlert } from './alert';
import { ALERT_ACTIONS, isOpen } from './alert';

export interface AlertTransitionDef {
  readonly from: readonly AlertState[];
  readonly to: AlertState;
  readonly roles: readonly Role[];
  /** What the action means, in the words OLN staff read. */
  readonly label: string;
}

/** The one table of allowed transitions. */
export const ALERT_TRANSITIONS: Readonly<Record<AlertAction, AlertTransitionDef>> = {
  tomar: {
    from: ['sin gestionar'],
    to: 'en espera de atención',
    roles: ['coordinador', 'gestor_casos', 'gestor_comunitario', 'coordinador_regional'],
    label: 'Tomar conocimiento: la alerta queda en espera de atención',
  },
  iniciar: {
    from: ['sin gestionar', 'en espera de atención', 'continúa en monitoreo'],
    to: 'en ejecución',
    roles: ['coordinador', 'gestor_casos'],
    label: 'Iniciar la atención, ligada al caso del niño que la aborda',
  },
  monitorear: {
    from: ['en ejecución'],
    to: 'continúa en monitoreo',
    roles: ['coordinador', 'gestor_casos'],
    label: 'Dejar en monitoreo: la situación se sigue sin acciones nuevas',
  },
  resolver: {
    from: ['en ejecución', 'continúa en monitoreo'],
    to: 'resuelta',
    roles: ['coordinador', 'gestor_casos'],
    label: 'Cerrar como resuelta',
  },
  cerrar_no_resuelta: {
    from: ['en ejecución', 'continúa en monitoreo'],
    to: 'no resuelta',
    roles: ['coordinador'],
    label: 'Cerrar como no resuelta',
  },
  no_corresponde: {
    from: ['sin gestionar', 'en espera de atención'],
    to: 'no corresponde',
    roles: ['coordinador'],
    label: 'Cerrar porque no corresponde a la OLN',
  },
};

export type AlertWorkflowProblem =
  | 'forbidden'
  | 'not_allowed_from_state'
  | 'is_repeat'
  | 'case_required'
  | 'case_not_open';

/** A transition the workflow refuses; `problem` says which kind (the API maps it to its status). */
export class AlertWorkflowError extends Error {
  override readonly name = 'AlertWorkflowError';
  constructor(
    readonly problem: AlertWorkflowProblem,
    message: string,
    /** The actions the caller could take from the alert's state. */
    readonly allowed: readonly AlertAction[] = [],
  ) {
    super(message);
  }
}

/** The actions `actor` may take on `alert` as it stands (none on a repeat report). */
export function alertActionsFor(
  alert: Pick<StoredAlert, 'state' | 'repeatOf'>,
  actor: AlertActor,
): AlertAction[] {
  if (alert.repeatOf !== undefined) return [];
  return ALERT_ACTIONS.filter((a) => {
    const def = ALERT_TRANSITIONS[a];
    return def.from.includes(alert.state) && def.roles.includes(actor.role);
  });
}

export interface AlertTransitionRequest {
  readonly action: AlertAction;
  readonly reason: string;
  /** The case that handles the alert (`iniciar`); may be left out when the child has one open case. */
  readonly caseId?: string;
}

/**
 * The alert after `request`, taken by `actor` at `at`. `openCases` are the ids of the child's open
 * cases in the alert's comuna (read only for `iniciar`). Throws an `AlertWorkflowError` when the
 * transition is not allowed. The caller writes the result over the version it read.
 */
export function transitionAlert(
  alert: StoredAlert,
  request: AlertTransitionRequest,
  actor: AlertActor,
  at: string,
  openCases: readonly string[],
): StoredAlert {
  if (alert.repeatOf !== undefined) {
    throw new AlertWorkflowError(
      'is_repeat',
      `esta alerta repite la alerta ${alert.repeatOf}, abierta del mismo niño y factor de riesgo: gestione esa alerta`,
    );
  }
  const def = ALERT_TRANSITIONS[request.action];
  if (!def.roles.includes(actor.role)) {
    throw new AlertWorkflowError(
      'forbidden',
      `el rol ${actor.role} no puede ${request.action.replaceAll('_', ' ')} una alerta; pueden: ${def.roles.join(', ')}`,
    );
  }
  if (!def.from.includes(alert.state)) {
    const allowed = alertActionsFor(alert, actor);
    throw new AlertWorkflowError(
      'not_allowed_from_state',
      `una alerta "${alert.state}" no admite "${request.action}"` +
        (allowed.length > 0
          ? `; desde ahí puede: ${allowed.join(', ')}`
          : '; no tiene acciones desde ese estado'),
      allowed,
    );
  }
  let caseId: string | undefined;
  if (def.to === 'en ejecución') {
    caseId = request.caseId ?? (openCases.length === 1 ? openCases[0] : alert.caseId);
    if (caseId === undefined) {
      throw new AlertWorkflowError(
        'case_required',
        openCases.length === 0
          ? 'para iniciar la atención el niño debe tener un caso abierto en la OLN: acéptelo desde la nómina y repita'
          : `indique en caseId cuál de los casos abiertos del niño aborda la alerta: ${openCases.join(', ')}`,
      );
    }
    if (!openCases.includes(caseId)) {
      throw new AlertWorkflowError(
        'case_not_open',
        `el caso ${caseId} no es un caso abierto de este niño en la comuna ${alert.comuna}`,
      );
    }
  }
  const entry: AlertHistoryEntry = {
    action: request.action,
    from: alert.state,
    to: def.to,
    by: { subject: actor.subject, role: actor.role },
    at,
    reason: request.reason,
    ...(caseId !== undefined && caseId !== alert.caseId ? { caseId } : {}),
  };
  // Acted on: no longer waiting for escalation.
  const { awaitingAck: _acknowledged, ...rest } = alert;
  return {
    ...rest,
    state: def.to,
    history: [...(alert.history ?? []), entry],
    ...(caseId !== undefined ? { caseId } : {}),
    acknowledgedAt: alert.acknowledgedAt ?? at,
    ...(isOpen(def.to) ? {} : { closedAt: at }),
  };
}

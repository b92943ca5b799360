/**
 * The OLN case workflow of the SAN platform, as data: the states a case goes through from its
 * intake (pre-diagnóstico) to egreso, the two ways it ends without intervention (rechazado por
 * gestor, rechazado por la familia), the actions that move it, which roles may take each, whether it
 * needs a stated reason, and the preconditions a practitioner expects (the family's consent before
 * diagnóstico, the NCFAS intake assessment before the PAF is drawn up, a PAF with goals before it
 * is carried out, the NCFAS closing assessment before egreso). Every transition is recorded with
 * who, when and why. Plain functions over plain data: no storage, no AWS.
 */
import type { Role } from '../../shared/domain/access';

export const CASE_STATES = [
  'pre_diagnostico',
  'diagnostico',
  'elaboracion_paf',
  'ejecucion_paf',
  'cierre_paf',
  'seguimiento',
  'egreso',
  'rechazado_gestor',
  'rechazado_familia',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** Each state in the words of the OLN. */
export const CASE_STATE_LABELS: Readonly<Record<CaseState, string>> = {
  pre_diagnostico: 'pre-diagnóstico',
  diagnostico: 'diagnóstico',
  elaboracion_paf: 'elaboración del PAF',
  ejecucion_paf: 'ejecución del PAF',
  cierre_paf: 'cierre del PAF',
  seguimiento: 'seguimiento',
  egreso: 'egreso',
  rechazado_gestor: 'rechazado por gestor',
  rechazado_familia: 'rechazado por la familia',
};

/** States a case never leaves. */
export const FINAL_STATES: ReadonlySet<CaseState> = new Set([
  'egreso',
  'rechazado_gestor',
  'rechazado_familia',
]);

/** What must hold of a case before a transition, checked on the case's own record. */
export const PRECONDITIONS = [
  'gestor_asignado',
  'consentimiento',
  'ncfas_ingreso',
  'paf_con_metas',
  'ncfas_cierre',
] as const;
export type Precondition = (typeof PRECONDITIONS)[number];

/** Each precondition as the OLN reads it when a transition is refused for lack of it. */
export const PRECONDITION_LABELS: Readonly<Record<Precondition, string>> = {
  gestor_asignado: 'el caso debe tener un gestor de casos asignado',
  consentimiento: 'debe registrarse el consentimiento informado vigente de la familia',
  ncfas_ingreso: 'debe registrarse la evaluación NCFAS de ingreso',
  paf_con_metas: 'el PAF debe tener al menos una meta',
  ncfas_cierre: 'debe registrarse la evaluación NCFAS de cierre',
};

export const CASE_ACTIONS = [
  'iniciar_diagnostico',
  'elaborar_paf',
  'ejecutar_paf',
  'cerrar_paf',
  'iniciar_seguimiento',
  'egresar',
  'rechazar_por_gestor',
  'rechazar_por_familia',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export interface CaseTransitionDef {
  readonly from: readonly CaseState[];
  readonly to: CaseState;
  /** Roles that may take the action, each only on cases of its comunas (and, for a gestor or terapeuta, assigned to them). */
  readonly roles: readonly Role[];
  readonly reasonRequired: boolean;
  readonly preconditions: readonly Precondition[];
  /** The action in Spanish, for messages. */
  readonly label: string;
}

const CASE_TEAM: readonly Role[] = ['coordinador', 'gestor_casos', 'terapeuta_familiar'];
const CASE_LEADS: readonly Role[] = ['coordinador', 'gestor_casos'];

/** The workflow, one row per action. */
export const CASE_TRANSITIONS: Readonly<Record<CaseAction, CaseTransitionDef>> = {
  iniciar_diagnostico: {
    from: ['pre_diagnostico'],
    to: 'diagnostico',
    roles: CASE_LEADS,
    reasonRequired: false,
    preconditions: ['gestor_asignado', 'consentimiento'],
    label: 'iniciar el diagnóstico',
  },
  elaborar_paf: {
    from: ['diagnostico'],
    to: 'elaboracion_paf',
    roles: CASE_TEAM,
    reasonRequired: false,
    preconditions: ['consentimiento', 'ncfas_ingreso'],
    label: 'pasar a elaboración del PAF',
  },
  ejecutar_paf: {
    from: ['elaboracion_paf'],
    to: 'ejecucion_paf',
    roles: CASE_TEAM,
    reasonRequired: false,
    preconditions: ['consentimiento', 'paf_con_metas'],
    label: 'iniciar la ejecución del PAF',
  },
  cerrar_paf: {
    from: ['ejecucion_paf'],
    to: 'cierre_paf',
    roles: CASE_TEAM,
    reasonRequired: true,
    preconditions: [],
    label: 'cerrar el PAF',
  },
  iniciar_seguimiento: {
    from: ['cierre_paf'],
    to: 'seguimiento',
    roles: CASE_TEAM,
    reasonRequired: false,
    preconditions: ['ncfas_cierre'],
    label: 'pasar a seguimiento',
  },
  egresar: {
    from: ['seguimiento'],
    to: 'egreso',
    roles: CASE_LEADS,
    reasonRequired: true,
    preconditions: ['ncfas_cierre'],
    label: 'egresar',
  },
  rechazar_por_gestor: {
    from: ['pre_diagnostico', 'diagnostico'],
    to: 'rechazado_gestor',
    roles: CASE_LEADS,
    reasonRequired: true,
    preconditions: [],
    label: 'rechazar por gestor',
  },
  rechazar_por_familia: {
    from: ['pre_diagnostico', 'diagnostico', 'elaboracion_paf', 'ejecucion_paf'],
    to: 'rechazado_familia',
    roles: CASE_TEAM,
    reasonRequired: true,
    preconditions: [],
    label: 'registrar el rechazo de la familia',
  },
};

/** Who took an action on a case. */
export interface CaseActor {
  readonly subject: string;
  readonly role: Role;
}

/** One recorded transition, or an assignment (`asignar`, which leaves the state as it is). */
export interface CaseHistoryEntry {
  readonly action: CaseAction | 'abrir' | 'asignar';
  readonly from: CaseState | null;
  readonly to: CaseState;
  readonly by: CaseActor;
  readonly at: string;
  readonly reason: string | null;
}

/** What the workflow reads of a case to decide a transition. */
export interface CaseFacts {
  readonly state: CaseState;
  readonly gestor?: string;
  readonly terapeuta?: string;
  /** Informed consent recorded and not withdrawn. */
  readonly consentInForce: boolean;
  readonly ncfasIntake: boolean;
  readonly ncfasClosing: boolean;
  readonly pafGoals: number;
}

export type CaseWorkflowProblem = 'forbidden' | 'not_allowed_from_state' | 'precondition' | 'reason_required';

/** A transition the workflow refuses; `problem` says which kind (an API maps it to its status). */
export class CaseWorkflowError extends Error {
  override readonly name = 'CaseWorkflowError';
  constructor(
    readonly problem: CaseWorkflowProblem,
    message: string,
    /** The actions the caller could take from the case's state (for `not_allowed_from_state`). */
    readonly allowed: readonly CaseAction[] = [],
    /** The preconditions that do not hold (for `precondition`). */
    readonly missing: readonly Precondition[] = [],
  ) {
    super(message);
  }
}

/** Whether `precondition` holds of the case. */
export function holds(precondition: Precondition, c: CaseFacts): boolean {
  switch (precondition) {
    case 'gestor_asignado':
      return c.gestor !== undefined;
    case 'consentimiento':
      return c.consentInForce;
    case 'ncfas_ingreso':
      return c.ncfasIntake;
    case 'paf_con_metas':
      return c.pafGoals > 0;
    case 'ncfas_cierre':
      return c.ncfasClosing;
  }
}

/**
 * Whether the actor works the case: the coordinador of its comuna always; a gestor de casos or a
 * terapeuta familiar only when assigned to it. The comuna itself is checked by the caller.
 */
export function worksTheCase(actor: CaseActor, c: Pick<CaseFacts, 'gestor' | 'terapeuta'>): boolean {
  if (actor.role === 'coordinador') return true;
  if (actor.role === 'gestor_casos') return c.gestor === actor.subject;
  if (actor.role === 'terapeuta_familiar') return c.terapeuta === actor.subject;
  return false;
}

/** Why `actor` may not do `what` on a case: its role, or (a gestor or terapeuta) not its case. */
export function notYours(actor: CaseActor, what: string): string {
  return (
    `el rol ${actor.role} no puede ${what} en este caso` +
    (actor.role === 'gestor_casos' || actor.role === 'terapeuta_familiar'
      ? ' (solo en casos asignados a usted)'
      : '')
  );
}

/** The actions `actor` may take on the case in its current state (preconditions aside). */
export function actionsFor(c: CaseFacts, actor: CaseActor): CaseAction[] {
  if (!worksTheCase(actor, c)) return [];
  return CASE_ACTIONS.filter((a) => {
    const t = CASE_TRANSITIONS[a];
    return t.from.includes(c.state) && t.roles.includes(actor.role);
  });
}

/**
 * Checks `action` on the case by `actor` and returns the history entry it records. Refuses, in this
 * order: an actor who does not work the case or whose role may not take the action (`forbidden`); an
 * action not allowed from the case's state (`not_allowed_from_state`, with the actions that are);
 * a missing reason where one is required; preconditions that do not hold (every one named).
 */
export function transition(
  c: CaseFacts,
  action: CaseAction,
  actor: CaseActor,
  reason: string | null,
  at: string,
): CaseHistoryEntry {
  const t = CASE_TRANSITIONS[action];
  if (!worksTheCase(actor, c) || !t.roles.includes(actor.role)) {
    throw new CaseWorkflowError('forbidden', notYours(actor, t.label));
  }
  if (!t.from.includes(c.state)) {
    const allowed = actionsFor(c, actor);
    throw new CaseWorkflowError(
      'not_allowed_from_state',
      `no se puede ${t.label} desde ${CASE_STATE_LABELS[c.state]}` +
        (allowed.length > 0
          ? `; desde ahí puede: ${allowed.map((a) => CASE_TRANSITIONS[a].label).join(', ')}`
          : FINAL_STATES.has(c.state)
            ? '; el caso está cerrado'
            : '; su rol no tiene acciones desde ese estado'),
      allowed,
    );
  }
  const why = reason?.trim() ?? '';
  if (t.reasonRequired && why.length === 0) {
    throw new CaseWorkflowError('reason_required', `para ${t.label} debe indicar el motivo`);
  }
  const missing = t.preconditions.filter((p) => !holds(p, c));
  if (missing.length > 0) {
    throw new CaseWorkflowError(
      'precondition',
      `no se puede ${t.label}: ${missing.map((p) => PRECONDITION_LABELS[p]).join('; ')}`,
      [],
      missing,
    );
  }
  return { action, from: c.state, to: t.to, by: actor, at, reason: why.length > 0 ? why : null };
}

/**
 * Everything the OLN records on a case besides its workflow transitions: assignments, the family's
 * consents, both NCFAS assessments, the PAF and its sessions, the mesa de casos agreements and the
 * referrals. Each operation names the roles that may make it (one table, `CASE_OPERATIONS`), is
 * made only by someone who works the case (the coordinador of its comuna, or the gestor or
 * terapeuta assigned to it), only in the states where a practitioner would make it, and returns the
 * new record; a refusal is a `CaseError` whose `problem` says which kind. Plain functions over plain
 * data.
 */
import type { Role } from '../../shared/domain/access';
import type { Agreement, AgreementInput } from './agreements';
import { AGREEMENT_STATUSES } from './agreements';
import type { CaseRecord, Referral } from './case';
import type { CaseActor, CaseState } from './case-workflow';
import { CASE_STATE_LABELS, CASE_STATES, FINAL_STATES, notYours, worksTheCase } from './case-workflow';
import type { ConsentInput, ConsentPurpose } from './consent';
import { CONSENT_PURPOSE_LABELS, ConsentError, consentInForce, withdraw } from './consent';
import type { NcfasKind, NcfasRatings } from './ncfas';
import type { PafGoal, Session } from './paf';
import { checkSession, SessionLimitError } from './paf';
import type { Program, ReferralState } from './referrals';
import { checkReferralMove, PROGRAM_CATALOGUE, ReferralError } from './referrals';

/**
 * Why an operation on a case was refused: `forbidden` (role or assignment), `not_found` (the case
 * or an item of it), `invalid` (a value that cannot be taken as given), `state` (not in this state),
 * `precondition` (something else must be recorded first), `limit` (a cap of the platform).
 */
export type CaseProblem = 'forbidden' | 'not_found' | 'invalid' | 'state' | 'precondition' | 'limit';

export class CaseError extends Error {
  override readonly name = 'CaseError';
  constructor(
    readonly problem: CaseProblem,
    /** A stable code for programs (`consent_required`, `session_limit`, …). */
    readonly code: string,
    message: string,
    /** What the caller needs to act on it (the allowed next states, the missing consent, …). */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export type CaseOperation =
  | 'asignar'
  | 'consentimiento'
  | 'ncfas'
  | 'paf'
  | 'sesion'
  | 'acuerdo'
  | 'derivacion';

const CASE_TEAM: readonly Role[] = ['coordinador', 'gestor_casos', 'terapeuta_familiar'];
/** Every state but the final ones. */
const OPEN_STATES: readonly CaseState[] = CASE_STATES.filter((s) => !FINAL_STATES.has(s));
const CASE_LEADS: readonly Role[] = ['coordinador', 'gestor_casos'];

/** Who may make each operation, and in which states of the case. */
export const CASE_OPERATIONS: Readonly<
  Record<
    CaseOperation,
    { readonly roles: readonly Role[]; readonly states: readonly CaseState[]; readonly label: string }
  >
> = {
  asignar: {
    roles: ['coordinador'],
    states: OPEN_STATES,
    label: 'asignar profesionales',
  },
  consentimiento: {
    roles: CASE_LEADS,
    states: OPEN_STATES,
    label: 'registrar o retirar el consentimiento',
  },
  ncfas: {
    roles: CASE_TEAM,
    states: ['diagnostico', 'elaboracion_paf', 'cierre_paf', 'seguimiento'],
    label: 'registrar una evaluación NCFAS',
  },
  paf: {
    roles: CASE_TEAM,
    states: ['elaboracion_paf', 'ejecucion_paf', 'cierre_paf'],
    label: 'elaborar o actualizar el PAF',
  },
  sesion: {
    roles: ['coordinador', 'terapeuta_familiar'],
    states: ['ejecucion_paf', 'cierre_paf', 'seguimiento'],
    label: 'registrar una sesión de terapia familiar',
  },
  acuerdo: {
    roles: CASE_LEADS,
    states: ['diagnostico', 'elaboracion_paf', 'ejecucion_paf', 'cierre_paf', 'seguimiento'],
    label: 'registrar acuerdos de la mesa de casos',
  },
  derivacion: {
    roles: CASE_LEADS,
    states: ['diagnostico', 'elaboracion_paf', 'ejecucion_paf', 'cierre_paf', 'seguimiento'],
    label: 'derivar a un programa',
  },
};

/** The states in which each NCFAS assessment is recorded. */
export const NCFAS_STATES: Readonly<Record<NcfasKind, readonly CaseState[]>> = {
  ingreso: ['diagnostico', 'elaboracion_paf'],
  cierre: ['cierre_paf', 'seguimiento'],
};

/** Refuses `operation` on the case by `actor` unless the role, the assignment and the state allow it. */
export function checkOperation(c: CaseRecord, operation: CaseOperation, actor: CaseActor): void {
  const op = CASE_OPERATIONS[operation];
  if (!op.roles.includes(actor.role) || !worksTheCase(actor, c)) {
    throw new CaseError('forbidden', 'forbidden', notYours(actor, op.label));
  }
  if (!op.states.includes(c.state)) {
    throw new CaseError(
      'state',
      FINAL_STATES.has(c.state) ? 'case_closed' : 'not_allowed_in_state',
      `no se puede ${op.label} en ${CASE_STATE_LABELS[c.state]}` +
        (FINAL_STATES.has(c.state)
          ? '; el caso está cerrado'
          : `; se puede en: ${op.states.map((s) => CASE_STATE_LABELS[s]).join(', ')}`),
      { states: op.states },
    );
  }
}

/** Refuses a day (yyyy-mm-dd) after `today`: what is recorded has happened. */
function notAfter(day: string, today: string, what: string, field: string): void {
  if (day > today) {
    throw new CaseError('invalid', 'date_in_future', `${what} (${day}) es posterior a hoy`, { field });
  }
}

/** The caseload-capped roles and the case field each fills. */
export type WorkerRole = 'gestor_casos' | 'terapeuta_familiar';

/** The case with `subject` as its gestor or terapeuta (replacing any), off that role's waiting list. */
export function assignWorker(
  c: CaseRecord,
  role: WorkerRole,
  subject: string,
  actor: CaseActor,
  at: string,
): CaseRecord {
  checkOperation(c, 'asignar', actor);
  const field = role === 'gestor_casos' ? 'gestor' : 'terapeuta';
  return {
    ...c,
    [field]: subject,
    waiting: c.waiting.filter((w) => w.role !== role),
    history: [
      ...c.history,
      { action: 'asignar', from: c.state, to: c.state, by: actor, at, reason: `${role}: ${subject}` },
    ],
  };
}

/** The case on `role`'s waiting list of its comuna since `at` (kept if it already waits). */
export function putOnWaitingList(c: CaseRecord, role: WorkerRole, at: string): CaseRecord {
  if (c.waiting.some((w) => w.role === role)) return c;
  return { ...c, waiting: [...c.waiting, { role, since: at }] };
}

export function recordConsent(
  c: CaseRecord,
  input: ConsentInput,
  consentId: string,
  actor: CaseActor,
  at: string,
): CaseRecord {
  checkOperation(c, 'consentimiento', actor);
  notAfter(input.givenOn, at.slice(0, 10), 'la fecha del consentimiento', 'body.givenOn');
  return {
    ...c,
    consents: [...c.consents, { ...input, consentId, recordedBy: actor.subject, recordedAt: at }],
  };
}

export function withdrawConsent(
  c: CaseRecord,
  consentId: string,
  day: string,
  note: string,
  actor: CaseActor,
): CaseRecord {
  checkOperation(c, 'consentimiento', actor);
  const record = c.consents.find((r) => r.consentId === consentId);
  if (!record) {
    throw new CaseError('not_found', 'not_found', `el caso no tiene el consentimiento ${consentId}`);
  }
  try {
    const withdrawn = withdraw(record, day, note);
    return { ...c, consents: c.consents.map((r) => (r === record ? withdrawn : r)) };
  } catch (error) {
    if (error instanceof ConsentError)
      throw new CaseError('state', 'consent_withdrawal_refused', error.message);
    throw error;
  }
}

/** Records (or replaces) an NCFAS assessment in the states where it belongs. */
export function recordNcfas(
  c: CaseRecord,
  kind: NcfasKind,
  ratings: NcfasRatings,
  assessedOn: string,
  actor: CaseActor,
  today: string,
): CaseRecord {
  checkOperation(c, 'ncfas', actor);
  if (!NCFAS_STATES[kind].includes(c.state)) {
    throw new CaseError(
      'state',
      'not_allowed_in_state',
      `la evaluación NCFAS de ${kind} se registra en ${NCFAS_STATES[kind].map((s) => CASE_STATE_LABELS[s]).join(' o ')}, ` +
        `no en ${CASE_STATE_LABELS[c.state]}`,
      { states: NCFAS_STATES[kind] },
    );
  }
  notAfter(assessedOn, today, 'la fecha de la evaluación', 'body.assessedOn');
  const intake = c.ncfas.ingreso;
  if (kind === 'cierre' && intake && assessedOn < intake.assessedOn) {
    throw new CaseError(
      'invalid',
      'date_before_intake',
      `la evaluación de cierre (${assessedOn}) no puede ser anterior a la de ingreso (${intake.assessedOn})`,
      { field: 'body.assessedOn' },
    );
  }
  return { ...c, ncfas: { ...c.ncfas, [kind]: { kind, ratings, assessedOn, by: actor.subject } } };
}

/** Sets the PAF's goals (drawn up, or updated with their actions and achievement while it runs). */
export function setPaf(c: CaseRecord, goals: readonly PafGoal[], actor: CaseActor): CaseRecord {
  checkOperation(c, 'paf', actor);
  return { ...c, paf: [...goals] };
}

/** Adds a therapy session, within the platform's limits (8 individual, 4 group). */
export function addSession(c: CaseRecord, session: Session, actor: CaseActor, today: string): CaseRecord {
  checkOperation(c, 'sesion', actor);
  notAfter(session.heldOn, today, 'la sesión', 'body.heldOn');
  try {
    checkSession(c.sessions, session);
  } catch (error) {
    if (error instanceof SessionLimitError) throw new CaseError('limit', 'session_limit', error.message);
    throw error;
  }
  return { ...c, sessions: [...c.sessions, session] };
}

function requireConsent(c: CaseRecord, purpose: ConsentPurpose, day: string, what: string): void {
  if (!consentInForce(c.consents, purpose, day)) {
    throw new CaseError(
      'precondition',
      'consent_required',
      `${what} requiere el consentimiento vigente de la familia para: ${CONSENT_PURPOSE_LABELS[purpose]}`,
      { missing: [`consentimiento:${purpose}`] },
    );
  }
}

/** Adds an agreement of the mesa de casos (the family must have consented to the case being presented). */
export function addAgreement(
  c: CaseRecord,
  input: AgreementInput,
  sessionOn: string,
  agreementId: string,
  actor: CaseActor,
  today: string,
): CaseRecord {
  checkOperation(c, 'acuerdo', actor);
  notAfter(sessionOn, today, 'la sesión de la mesa', 'body.sessionOn');
  requireConsent(c, 'mesa_de_casos', sessionOn, 'presentar el caso en la mesa de casos');
  const agreement: Agreement = { ...input, agreementId, caseId: c.caseId, sessionOn };
  return { ...c, agreements: [...c.agreements, agreement] };
}

/** Updates an agreement's follow-up: its status, notes or due date. */
export function updateAgreement(
  c: CaseRecord,
  agreementId: string,
  patch: { readonly status?: Agreement['status']; readonly notes?: string; readonly dueOn?: string },
  actor: CaseActor,
): CaseRecord {
  checkOperation(c, 'acuerdo', actor);
  const target = c.agreements.find((a) => a.agreementId === agreementId);
  if (!target) throw new CaseError('not_found', 'not_found', `el caso no tiene el acuerdo ${agreementId}`);
  if (patch.status !== undefined && !AGREEMENT_STATUSES.includes(patch.status)) {
    throw new CaseError('invalid', 'invalid_status', `estado de acuerdo desconocido: ${patch.status}`);
  }
  const updated: Agreement = { ...target, ...patch };
  return { ...c, agreements: c.agreements.map((a) => (a === target ? updated : a)) };
}

/**
 * Adds a referral to a program of the catalogue. With personal data it needs the family's consent
 * for referrals in force; without it, the referral goes out with the case's pseudonym only.
 */
export function addReferral(
  c: CaseRecord,
  program: Program,
  withPersonalData: boolean,
  note: string | null,
  referralId: string,
  actor: CaseActor,
  at: string,
): CaseRecord {
  checkOperation(c, 'derivacion', actor);
  if (!(program in PROGRAM_CATALOGUE)) {
    throw new CaseError('invalid', 'unknown_program', `programa desconocido: ${program}`, {
      field: 'body.program',
    });
  }
  const open = c.referrals.find(
    (r) => r.program === program && r.state !== 'rechazada' && r.state !== 'atendida',
  );
  if (open) {
    throw new CaseError(
      'state',
      'referral_open',
      `el caso ya tiene una derivación abierta a ${PROGRAM_CATALOGUE[program].name} (${open.referralId}, ${open.state.replace(/_/g, ' ')})`,
      { referralId: open.referralId },
    );
  }
  if (withPersonalData) {
    requireConsent(c, 'derivacion', at.slice(0, 10), 'derivar con datos personales');
  }
  const referral: Referral = {
    referralId,
    program,
    state: 'enviada',
    withPersonalData,
    sentOn: at.slice(0, 10),
    history: [{ to: 'enviada', at, by: actor.subject, note }],
  };
  return { ...c, referrals: [...c.referrals, referral] };
}

/** Moves a referral along its states (its own follow-up), with a note. */
export function moveReferral(
  c: CaseRecord,
  referralId: string,
  to: ReferralState,
  note: string | null,
  actor: CaseActor,
  at: string,
): CaseRecord {
  checkOperation(c, 'derivacion', actor);
  const target = c.referrals.find((r) => r.referralId === referralId);
  if (!target) throw new CaseError('not_found', 'not_found', `el caso no tiene la derivación ${referralId}`);
  try {
    checkReferralMove(target.state, to);
  } catch (error) {
    if (error instanceof ReferralError) {
      throw new CaseError('state', 'referral_move_not_allowed', error.message, { allowed: error.allowed });
    }
    throw error;
  }
  const moved: Referral = {
    ...target,
    state: to,
    history: [...target.history, { to, at, by: actor.subject, note }],
  };
  return { ...c, referrals: c.referrals.map((r) => (r === target ? moved : r)) };
}

/**
 * The case feature's use cases over its ports (intake from the nómina is `intake-service.ts`):
 * reading and changing a case over the version the caller read (optimistic
 * concurrency: a stale version is refused, never merged), assigning workers under the caseload caps
 * with the comuna's waiting list, and the lists a coordinador works from (waiting list, overdue
 * agreements). No AWS here: the stores are ports (`case-store.ts`, the roster's `RosterStore`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CaseProjection, RosterEntry, RosterStore } from '../../roster/domain/roster';
import { OPEN_ALERT_STATES } from '../../roster/domain/roster';
import type { OlnTeam } from '../../shared/domain/oln-teams';
import type { Agreement } from './agreements';
import { CLOSED_AGREEMENT, overdueAgreements } from './agreements';
import type { CaseRecord, VersionedCase } from './case';
import { applyAction } from './case';
import type { WorkerRole } from './case-operations';
import { assignWorker, CaseError, checkOperation, putOnWaitingList } from './case-operations';
import type { CaseloadStore, CaseStore, IntakeStore } from './case-store';
import type { CaseAction, CaseActor } from './case-workflow';
import { CaseWorkflowError, FINAL_STATES } from './case-workflow';
import type { WaitingCase } from './waiting-list';
import { waitingOrder } from './waiting-list';

export interface CaseDeps {
  readonly roster: Pick<RosterStore, 'get' | 'page' | 'recordCase'>;
  readonly cases: CaseStore;
  readonly caseloads: CaseloadStore;
  readonly intake: IntakeStore;
  /** The comuna's OLN team (caps, staff, program places); undefined when it has none. */
  readonly team: (comuna: string) => OlnTeam | undefined;
  readonly now: () => Date;
}

/** The case opened by accepting a child's entry that began at `enteredAt`: one id, whoever accepts. */
export function caseIdOf(comuna: string, childId: string, enteredAt: string): string {
  const digest = createHash('sha256').update(`${comuna}|${childId}|${enteredAt}`).digest('base64url');
  return `c-${digest.slice(0, 22)}`;
}

/** A short id for an item of a case (a consent, an agreement, a referral). */
export function itemId(prefix: string): string {
  return `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export const hasUrgentAlert = (entry: RosterEntry | undefined): boolean =>
  (entry?.alerts ?? []).some((a) => a.urgent && OPEN_ALERT_STATES.has(a.state));

// ---------------------------------------------------------------------------------------------
// Reading and changing a case

/** The comuna's case, or `not_found` (also for a case of another comuna: answered the same). */
export async function caseOf(deps: CaseDeps, comuna: string, caseId: string): Promise<VersionedCase> {
  const found = await deps.cases.get(caseId);
  if (!found || found.record.comuna !== comuna) {
    throw new CaseError('not_found', 'not_found', `no existe el caso ${caseId} en la comuna ${comuna}`);
  }
  return found;
}

/** The version a caller read does not match the stored one. */
export class StaleVersionError extends Error {
  override readonly name = 'StaleVersionError';
  constructor(readonly current: number) {
    super(
      `el caso cambió desde que lo leyó (versión actual ${current}): vuelva a leerlo y repita el cambio sobre la versión actual`,
    );
  }
}

/** Applies `change` to the case over the version the caller read; refuses a stale one. */
export async function changeCase(
  deps: CaseDeps,
  comuna: string,
  caseId: string,
  readVersion: number,
  change: (c: CaseRecord) => CaseRecord,
): Promise<VersionedCase> {
  const stored = await caseOf(deps, comuna, caseId);
  if (stored.version !== readVersion) throw new StaleVersionError(stored.version);
  const record = change(stored.record);
  if (!(await deps.cases.update(record, stored.version))) {
    const now = await deps.cases.get(caseId);
    throw new StaleVersionError(now?.version ?? stored.version + 1);
  }
  if (projectionOf(record, 0, stored.record) !== undefined) await project(deps, record, stored.version + 1);
  return { record, version: stored.version + 1 };
}

/** The case's projection onto its nómina entry; undefined when `before`'s is the same. */
function projectionOf(c: CaseRecord, version: number, before?: CaseRecord): CaseProjection | undefined {
  const due = (r: CaseRecord): string | null =>
    r.agreements
      .filter((a) => !CLOSED_AGREEMENT.has(a.status))
      .map((a) => a.dueOn)
      .sort()[0] ?? null;
  const projection = { caseId: c.caseId, state: c.state, openAgreementsDue: due(c), version };
  if (before && before.state === c.state && due(before) === projection.openAgreementsDue) return undefined;
  return projection;
}

/** Writes the case's state and earliest open agreement onto the child's nómina entry. */
export async function project(deps: CaseDeps, c: CaseRecord, version: number): Promise<void> {
  const projection = projectionOf(c, version);
  if (projection) await deps.roster.recordCase(c.comuna, c.childId, projection);
}

/** A worker's place given back, and the case the comuna's waiting list offers it to first. */
export interface FreedPlace {
  readonly role: WorkerRole;
  readonly worker: string;
  readonly offeredTo: string | null;
}

/**
 * Moves the case through its workflow. A case that reaches egreso or is rejected gives back its
 * workers' places and leaves the waiting lists; each freed place names the case it is offered to.
 */
export async function transitionCase(
  deps: CaseDeps,
  comuna: string,
  caseId: string,
  readVersion: number,
  action: CaseAction,
  reason: string | null,
  actor: CaseActor,
): Promise<{ readonly case: VersionedCase; readonly freed: readonly FreedPlace[] }> {
  const at = deps.now().toISOString();
  const changed = await changeCase(deps, comuna, caseId, readVersion, (c) => {
    try {
      const moved = applyAction(c, action, actor, reason, at);
      return FINAL_STATES.has(moved.state) ? { ...moved, waiting: [] } : moved;
    } catch (error) {
      if (error instanceof CaseWorkflowError) throw fromWorkflow(error);
      throw error;
    }
  });
  const c = changed.record;
  if (!FINAL_STATES.has(c.state)) return { case: changed, freed: [] };
  const freed: FreedPlace[] = [];
  for (const [role, worker] of [
    ['gestor_casos', c.gestor],
    ['terapeuta_familiar', c.terapeuta],
  ] as const) {
    if (worker === undefined) continue;
    await deps.caseloads.release(comuna, { role, subject: worker }, c.caseId, c.family);
    const next = (await waitingList(deps, comuna))[role][0];
    freed.push({ role, worker, offeredTo: next?.caseId ?? null });
  }
  return { case: changed, freed };
}

function fromWorkflow(error: CaseWorkflowError): CaseError {
  switch (error.problem) {
    case 'forbidden':
      return new CaseError('forbidden', 'forbidden', error.message);
    case 'not_allowed_from_state':
      return new CaseError('state', 'transition_not_allowed', error.message, { allowed: error.allowed });
    case 'reason_required':
      return new CaseError('invalid', 'reason_required', error.message, { field: 'body.reason' });
    case 'precondition':
      return new CaseError('precondition', 'precondition_failed', error.message, { missing: error.missing });
  }
}

// ---------------------------------------------------------------------------------------------
// Assignment under the caps, and the waiting list

export interface WaitingItem extends WaitingCase {
  readonly childId: string;
  readonly role: WorkerRole;
  readonly version: number;
}

/** The comuna's waiting lists, each in the order places are offered (urgency, ventile, time waited). */
export async function waitingList(
  deps: CaseDeps,
  comuna: string,
): Promise<Record<WorkerRole, WaitingItem[]>> {
  const cases = await deps.cases.waiting(comuna);
  const entries = await Promise.all(cases.map((c) => deps.roster.get(comuna, c.record.childId)));
  const lists: Record<WorkerRole, WaitingItem[]> = { gestor_casos: [], terapeuta_familiar: [] };
  cases.forEach(({ record, version }, i) => {
    for (const w of record.waiting) {
      lists[w.role].push({
        caseId: record.caseId,
        childId: record.childId,
        role: w.role,
        version,
        urgent: hasUrgentAlert(entries[i]),
        ...(record.intake.ventile !== null ? { ventile: record.intake.ventile } : {}),
        waitingSince: w.since,
      });
    }
  });
  lists.gestor_casos.sort(waitingOrder);
  lists.terapeuta_familiar.sort(waitingOrder);
  return lists;
}

/** Why a case went on the waiting list instead of being assigned. */
export type OnHold =
  | { readonly because: 'cap'; readonly cap: number; readonly load: number }
  /** Other cases wait for a place first: the next free place is `offeredTo`'s. */
  | { readonly because: 'waiting_list'; readonly offeredTo: string };

export type AssignmentResult =
  | { readonly assigned: true; readonly case: VersionedCase }
  | {
      readonly assigned: false;
      readonly case: VersionedCase;
      readonly hold: OnHold;
      /** Its place on the role's waiting list (1 is offered the next free place). */
      readonly position: number;
    };

/**
 * Assigns a gestor de casos or a terapeuta familiar of the comuna's team to the case. Refuses a
 * worker not on the team. A case that cannot be assigned goes on the role's waiting list, and the
 * answer says why and its place there: over the cap (with the cap and the worker's load), or
 * because other cases wait (a freed place goes to the list's first case). A worker's place is taken before the
 * case is written and given back if the write fails, so the caps hold when assignments arrive at once.
 */
export async function assign(
  deps: CaseDeps,
  comuna: string,
  caseId: string,
  readVersion: number,
  role: WorkerRole,
  worker: string,
  actor: CaseActor,
): Promise<AssignmentResult> {
  const team = deps.team(comuna);
  if (!team) {
    throw new CaseError('state', 'no_team', `la comuna ${comuna} no tiene un equipo OLN configurado`);
  }
  const staff = role === 'gestor_casos' ? team.gestores : team.terapeutas;
  if (!staff.includes(worker)) {
    throw new CaseError(
      'invalid',
      'unknown_worker',
      `${worker} no es ${role === 'gestor_casos' ? 'gestor de casos' : 'terapeuta familiar'} del equipo OLN de la comuna ${comuna}`,
      { field: 'body.worker' },
    );
  }
  const stored = await caseOf(deps, comuna, caseId);
  checkOperation(stored.record, 'asignar', actor);
  if (stored.version !== readVersion) throw new StaleVersionError(stored.version);
  const c = stored.record;
  const current = role === 'gestor_casos' ? c.gestor : c.terapeuta;
  if (current === worker) return { assigned: true, case: stored };
  const cap = role === 'gestor_casos' ? team.caps.gestorCases : team.caps.terapeutaFamilies;
  const at = deps.now().toISOString();
  const onHold = async (hold: OnHold): Promise<AssignmentResult> => {
    // A case that already has a worker in the role is being reassigned: it keeps its worker and
    // does not queue; the refusal says why.
    if (current !== undefined) {
      throw new CaseError(
        'limit',
        hold.because === 'cap' ? 'caseload_cap_reached' : 'waiting_list_first',
        hold.because === 'cap'
          ? `${worker} ya tiene ${hold.load} ${role === 'gestor_casos' ? 'casos activos' : 'familias'} y el tope es ${hold.cap}: el caso sigue con ${current}`
          : `otros casos esperan un cupo y el próximo es para el caso ${hold.offeredTo}: el caso sigue con ${current}`,
        hold.because === 'cap' ? { cap: hold.cap, load: hold.load } : { offeredTo: hold.offeredTo },
      );
    }
    const waiting = await changeCase(deps, comuna, caseId, readVersion, (r) => putOnWaitingList(r, role, at));
    const after = (await waitingList(deps, comuna))[role];
    return {
      assigned: false,
      case: waiting,
      hold,
      position: after.findIndex((w) => w.caseId === caseId) + 1,
    };
  };
  const first = (await waitingList(deps, comuna))[role][0];
  if (first !== undefined && first.caseId !== caseId) {
    return onHold({ because: 'waiting_list', offeredTo: first.caseId });
  }
  const claim = await deps.caseloads.claim(comuna, { role, subject: worker }, caseId, c.family, cap);
  if (!claim.claimed) {
    return onHold({
      because: 'cap',
      cap,
      load: role === 'gestor_casos' ? claim.load.cases : claim.load.families,
    });
  }
  let changed: VersionedCase;
  try {
    changed = await changeCase(deps, comuna, caseId, readVersion, (r) =>
      assignWorker(r, role, worker, actor, at),
    );
  } catch (error) {
    await deps.caseloads.release(comuna, { role, subject: worker }, caseId, c.family);
    throw error;
  }
  if (current !== undefined)
    await deps.caseloads.release(comuna, { role, subject: current }, caseId, c.family);
  return { assigned: true, case: changed };
}

/** Every open agreement of the comuna's cases past its due date, the longest overdue first. */
export async function comunaOverdueAgreements(
  deps: CaseDeps,
  comuna: string,
): Promise<(Agreement & { readonly childId: string })[]> {
  const today = deps.now().toISOString().slice(0, 10);
  const all: (Agreement & { childId: string })[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.cases.listByComuna(comuna, { limit: 200, ...(cursor ? { cursor } : {}) });
    for (const { record } of page.cases) {
      for (const a of record.agreements) all.push({ ...a, childId: record.childId });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return overdueAgreements(all, today);
}

import type { RosterEntry } from '../../roster/domain/roster';
import { enteredPriorityAt } from '../../roster/domain/roster';
import type { VersionedCase } from './case';
import { openCase } from './case';
import { CaseError } from './case-operations';
import type { CaseDeps } from './case-service';
import { caseIdOf, hasUrgentAlert, project } from './case-service';
import type { CaseActor } from './case-workflow';
import type { DiscardReason, IntakeDecision } from './intake';
import { decideIntake, discardDeadline, IntakeError } from './intake';

/** One entry of the comuna's intake queue: a child in the nómina the OLN works from. */
export interface IntakeQueueItem {
  readonly entry: RosterEntry;
  readonly enteredAt: string;
  readonly discardDeadline: string;
  readonly overdue: boolean;
  readonly urgent: boolean;
  readonly decision?: IntakeDecision;
}

/** Roster entries read per page while walking the head of the nómina. */
const QUEUE_PAGE = 200;

/**
 * The comuna's intake queue: every child with an open alert or in the model's head at the OLN's
 * capacity, in roster order, each with when it entered, its discard deadline, whether it is overdue
 * (no decision past the deadline) and the decision taken, if any.
 */
export async function intakeQueue(deps: CaseDeps, comuna: string): Promise<IntakeQueueItem[]> {
  const now = deps.now().toISOString();
  const decisions = new Map(
    (await deps.intake.all(comuna)).map((d) => [`${d.childId}#${d.enteredAt}`, d] as const),
  );
  const items: IntakeQueueItem[] = [];
  let cursor: string | undefined;
  walk: do {
    const page = await deps.roster.page(comuna, QUEUE_PAGE, cursor);
    for (const entry of page.entries) {
      const enteredAt = enteredPriorityAt(entry);
      // The head is contiguous after the alerted entries: the first entry past it ends the queue.
      if (enteredAt === undefined) {
        if ((entry.alerts ?? []).length === 0) break walk;
        continue;
      }
      const decision = decisions.get(`${entry.childId}#${enteredAt}`);
      const deadline = discardDeadline(enteredAt);
      items.push({
        entry,
        enteredAt,
        discardDeadline: deadline,
        overdue: decision === undefined && now > deadline,
        urgent: hasUrgentAlert(entry),
        ...(decision ? { decision } : {}),
      });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export type IntakeInput =
  | { readonly decision: 'aceptar'; readonly origin?: 'manual' | 'experto'; readonly note?: string }
  | { readonly decision: 'descartar'; readonly reason: DiscardReason; readonly note: string };

export interface IntakeResult {
  readonly decision: IntakeDecision;
  readonly case?: VersionedCase;
}

/**
 * The coordinador's decision on a child of the comuna's roster. A child in the nómina (head or open
 * alert) is accepted or discarded as its entry stands; a child of the roster outside it may be
 * accepted as a manual entry (`manual`, or `experto` when a mesa de casos referred it), recorded
 * against its score like any other decision. One decision per entry: a second answers
 * `already_decided` with the first.
 */
export async function decide(
  deps: CaseDeps,
  comuna: string,
  childId: string,
  input: IntakeInput,
  actor: CaseActor,
): Promise<IntakeResult> {
  const at = deps.now().toISOString();
  const entry = await deps.roster.get(comuna, childId);
  if (!entry) {
    throw new CaseError(
      'not_found',
      'not_found',
      `el niño ${childId} no está en la nómina de la comuna ${comuna}`,
    );
  }
  const inNomina = enteredPriorityAt(entry);
  if (inNomina === undefined && input.decision === 'descartar') {
    throw new CaseError(
      'state',
      'not_in_nomina',
      'el niño no está en la nómina priorizada (ni en la cabeza del modelo ni con una alerta abierta): no hay nada que descartar',
    );
  }
  if (inNomina === undefined && input.decision === 'aceptar' && input.origin === undefined) {
    throw new CaseError(
      'invalid',
      'origin_required',
      'el niño no está en la nómina priorizada: para ingresarlo indique el origen (manual o experto) y una nota',
      { field: 'body.origin' },
    );
  }
  const manual = input.decision === 'aceptar' && input.origin !== undefined;
  if (manual && (input.note ?? '').trim().length === 0) {
    throw new CaseError(
      'invalid',
      'note_required',
      'un ingreso manual o experto requiere una nota que lo explique',
      {
        field: 'body.note',
      },
    );
  }
  const enteredAt = inNomina ?? at;
  let decision: IntakeDecision;
  try {
    decision = decideIntake(
      {
        childId,
        comuna,
        origin: manual && input.decision === 'aceptar' && input.origin ? input.origin : entry.origin,
        enteredAt,
        ...(entry.probability !== undefined ? { probability: entry.probability } : {}),
        ...(entry.ventile !== undefined ? { ventile: entry.ventile } : {}),
        ...(entry.modelVersion !== undefined ? { modelVersion: entry.modelVersion } : {}),
      },
      input.decision === 'aceptar'
        ? { kind: 'aceptar' }
        : { kind: 'descartar', reason: input.reason, note: input.note },
      actor,
      at,
    );
  } catch (error) {
    if (error instanceof IntakeError) {
      if (error.problem === 'forbidden') throw new CaseError('forbidden', 'forbidden', error.message);
      if (error.problem === 'discard_window_closed') {
        throw new CaseError('state', 'discard_window_closed', error.message, {
          deadline: discardDeadline(enteredAt),
        });
      }
      throw new CaseError('invalid', error.problem, error.message, { field: 'body.note' });
    }
    throw error;
  }
  if (manual && input.decision === 'aceptar' && input.note)
    decision = { ...decision, note: input.note.trim() };
  const family = entry.family ?? `sin-hogar-${childId}`;
  if (!(await deps.intake.record(decision))) {
    const first = await deps.intake.get(comuna, childId, enteredAt);
    // The first decision was an acceptance whose case may not be written yet: write it (same id).
    const opened = first?.kind === 'aceptar' ? await ensureCase(deps, first, family) : undefined;
    throw new CaseError(
      'state',
      'already_decided',
      `esta entrada de la nómina ya fue ${first?.kind === 'aceptar' ? 'aceptada' : 'descartada'} el ${first?.at.slice(0, 10) ?? '?'} por ${first?.by.subject ?? '?'}`,
      { ...(opened ? { caseId: opened.record.caseId } : {}) },
    );
  }
  if (decision.kind === 'descartar') return { decision };
  return { decision, case: await ensureCase(deps, decision, family) };
}

/** The case of an accepted decision, created if it is not stored yet. */
async function ensureCase(deps: CaseDeps, decision: IntakeDecision, family: string): Promise<VersionedCase> {
  const record = openCase(decision, caseIdOf(decision.comuna, decision.childId, decision.enteredAt), family);
  if (await deps.cases.create(record)) {
    await project(deps, record, 1);
    return { record, version: 1 };
  }
  const stored = await deps.cases.get(record.caseId);
  if (!stored) throw new Error(`case ${record.caseId} exists and cannot be read`);
  return stored;
}

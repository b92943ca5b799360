/**
 * Merging a provisional child (one an alert named without RUN) into the child it was: found by a
 * later ingest (`ingesta`, see `identify-provisional.ts`) or chosen among the candidates by a
 * person at the OLN (`confirmada`). The child's alerts keep their history and move, with their
 * place on the nómina, to the known child's entry; what the reporter said of the child moves to the
 * known child in the identity store, and the provisional pseudonym keeps only where it went.
 *
 * Every step can be done again, so a merge cut short is finished by the next attempt: the identity
 * store's marker says where the provisional child went, and each alert keeps `awaitingIdentity`
 * until the provisional roster entry is gone. A provisional child with a case is not merged: the
 * case is the OLN's record of its work with the family, and moving it is a decision for a person.
 */
import type { RosterStore } from '../../roster/domain/roster';
import type { AlertActor, AlertIdentification, StoredAlert } from './alert';
import { isOpen } from './alert';
import type { ChildDirectory } from './identify-child';
import type { AlertStore } from './ports';
import type { AlertProjectionTarget } from './projection';
import { projectAlert } from './projection';
import { routeAlert } from './routing';

export interface MergeDeps {
  readonly alerts: Pick<AlertStore, 'ofChild' | 'get' | 'update' | 'claimOpen' | 'releaseOpen'>;
  readonly roster: Pick<RosterStore, 'placementsOf' | 'removeProvisional'> & AlertProjectionTarget;
  readonly directory: Pick<ChildDirectory, 'mergedInto'> & {
    mergeProvisional(from: string, to: string, at: string): Promise<void>;
  };
  /** Whether the child has any case, open or closed. */
  readonly hasCase: (childId: string) => Promise<boolean>;
}

export interface MergeRequest {
  /** The provisional child. */
  readonly from: string;
  /** The child it was. */
  readonly to: string;
  readonly method: 'ingesta' | 'confirmada';
  readonly at: string;
  readonly by?: AlertActor;
  readonly reason?: string;
}

/** Why a merge was not made. */
export class MergeRefusedError extends Error {
  override readonly name = 'MergeRefusedError';
  constructor(
    readonly code: 'child_has_case' | 'already_merged',
    message: string,
  ) {
    super(message);
  }
}

/** Merges `from` into `to`; answers the alerts it moved. */
export async function mergeProvisionalChild(
  deps: MergeDeps,
  request: MergeRequest,
): Promise<readonly StoredAlert[]> {
  const { from, to } = request;
  const merged = await deps.directory.mergedInto(from);
  if (merged !== undefined && merged !== to) {
    throw new MergeRefusedError('already_merged', `el niño provisional ${from} ya se unió a ${merged}`);
  }
  if (merged === undefined && (await deps.hasCase(from))) {
    throw new MergeRefusedError(
      'child_has_case',
      `el niño provisional ${from} tiene un caso en la OLN: únalo al niño ${to} desde el caso, no desde la alerta`,
    );
  }
  await deps.directory.mergeProvisional(from, to, request.at);
  const placements = await deps.roster.placementsOf(to);
  // The alerts still under the provisional pseudonym, and those a merge cut short moved already.
  const pending = [
    ...(await deps.alerts.ofChild(from)),
    ...(await deps.alerts.ofChild(to)).filter(
      (a) => a.awaitingIdentity !== undefined && a.identification?.provisionalChildId === from,
    ),
  ];
  // The alerts a repeat follows move first, so that each repeat goes where its alert went.
  pending.sort((a, b) => Number(a.repeatOf !== undefined) - Number(b.repeatOf !== undefined));
  const movedTo = new Map<string, string>();
  const moved: StoredAlert[] = [];
  for (const alert of pending) {
    const comuna =
      alert.repeatOf !== undefined
        ? (movedTo.get(alert.repeatOf) ?? alert.comuna)
        : alert.caseId !== undefined
          ? alert.comuna
          : routeAlert(placements, alert.comuna);
    const after = await moveAlert(deps, alert, comuna, request);
    movedTo.set(after.alertId, after.comuna);
    moved.push(after);
  }
  for (const placement of await deps.roster.placementsOf(from)) {
    if (placement.provisional) await deps.roster.removeProvisional(placement.comuna, from);
  }
  // Last: the alerts leave the list of those awaiting identification only once nothing is left to do.
  const done: StoredAlert[] = [];
  for (const alert of moved) done.push(await settle(deps, alert));
  return done;
}

/** Writes `alert` under the known child in `comuna`, holds its open place there, and projects it. */
async function moveAlert(
  deps: MergeDeps,
  alert: StoredAlert,
  comuna: string,
  request: MergeRequest,
): Promise<StoredAlert> {
  let current = alert;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (current.childId === request.to) break;
    const { candidates: _c, ...identification } = current.identification ?? {
      method: 'provisional',
      at: request.at,
    };
    const next: StoredAlert = {
      ...current,
      childId: request.to,
      comuna,
      identification: {
        ...identification,
        method: request.method,
        provisionalChildId: identification.provisionalChildId ?? request.from,
        at: request.at,
        ...(request.by ? { by: request.by } : {}),
        ...(request.reason ? { reason: request.reason } : {}),
      } satisfies AlertIdentification,
    };
    const read = current.version ?? 1;
    if (await deps.alerts.update(next, read)) {
      current = { ...next, version: read + 1 };
      if (current.repeatOf === undefined && isOpen(current.state)) {
        await deps.alerts.releaseOpen(alert);
        // The known child's place may be held by an alert of its own: then both stay open.
        await deps.alerts.claimOpen(current);
      }
      break;
    }
    const reread = await deps.alerts.get(alert.alertId);
    if (!reread) return current;
    current = reread;
  }
  await projectAlert(deps.roster, current);
  return current;
}

/** Takes the moved alert off the list of those awaiting identification. */
async function settle(deps: MergeDeps, alert: StoredAlert): Promise<StoredAlert> {
  let current = alert;
  for (let attempt = 0; attempt < 5 && current.awaitingIdentity !== undefined; attempt++) {
    const { awaitingIdentity: _a, ...rest } = current;
    const read = current.version ?? 1;
    if (await deps.alerts.update(rest, read)) {
      current = { ...rest, version: read + 1 };
      // The summary on the nómina follows the alert's version.
      await projectAlert(deps.roster, current);
      return current;
    }
    current = (await deps.alerts.get(alert.alertId)) ?? current;
  }
  return current;
}

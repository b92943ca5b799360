/**
 * Which child a queued alert is about: the pseudonym of its RUN; without a RUN, the child the
 * names and birth date find with certainty in the comuna; otherwise a provisional child, named by
 * the alert's id, with the children who came close as candidates for a person at the OLN. What the
 * reporter said of the child goes to the identity store, under the child it was filed under.
 */
import type { IdentityStore } from '../../identity/domain/identity';
import { ALERT_SOURCE } from '../../identity/domain/identity';
import { birthDateRange, decideMatch, matchBlockOf, reportedChild } from '../../identity/domain/matching';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import { canonicalRun, parseRun } from '../../shared/domain/run';
import type { AlertIdentification, AlertMessage } from './alert';

export type ChildDirectory = Pick<IdentityStore, 'matchRecords' | 'putIfAbsent' | 'mergedInto'>;

export interface IdentifiedChild {
  readonly childId: string;
  readonly identification: AlertIdentification;
  /** True when the child is a provisional one (no RUN known). */
  readonly provisional: boolean;
  /**
   * True when the child is the provisional one named by this very alert: no other alert or nómina
   * entry can be under it yet, so the consumer need not look.
   */
  readonly fresh: boolean;
}

export async function identifyChild(
  deps: {
    readonly pseudonymiser: Pick<Pseudonymiser, 'child' | 'provisionalChild'>;
    readonly directory: ChildDirectory;
  },
  message: AlertMessage,
): Promise<IdentifiedChild> {
  const at = message.receivedAt;
  const run = message.child.run === undefined ? undefined : parseRun(message.child.run);
  let found: IdentifiedChild;
  if (run?.ok) {
    found = {
      childId: deps.pseudonymiser.child(run.run),
      identification: { method: 'run', at },
      provisional: false,
      fresh: false,
    };
  } else {
    const provisionalChildId = deps.pseudonymiser.provisionalChild(message.alertId);
    const reported = reportedChild(
      message.child,
      message.comuna,
      message.observedAt ?? message.receivedAt.slice(0, 10),
    );
    const block = reported && matchBlockOf(reported.comuna, reported.paternalSurname);
    const decision =
      reported && block
        ? decideMatch(reported, await deps.directory.matchRecords(block, birthDateRange(reported)))
        : ({ kind: 'none' } as const);
    if (decision.kind === 'certain') {
      // A provisional child found again may have been merged since the index was read.
      const chosen = decision.candidate;
      const childId = chosen.provisional
        ? ((await deps.directory.mergedInto(chosen.childId)) ?? chosen.childId)
        : chosen.childId;
      found = {
        childId,
        identification: { method: 'nombres', provisionalChildId, at },
        provisional: chosen.provisional && childId === chosen.childId,
        fresh: false,
      };
    } else {
      found = {
        childId: provisionalChildId,
        identification: {
          method: 'provisional',
          provisionalChildId,
          ...(decision.kind === 'uncertain' ? { candidates: decision.candidates } : {}),
          at,
        },
        provisional: true,
        fresh: true,
      };
    }
  }
  await recordWhatWasSaid(
    deps.directory,
    message,
    found.childId,
    run?.ok ? canonicalRun(run.run) : undefined,
  );
  return found;
}

/** Keeps what the reporter said of the child unless an alert already did. */
async function recordWhatWasSaid(
  directory: ChildDirectory,
  message: AlertMessage,
  childId: string,
  run: string | undefined,
): Promise<void> {
  const { run: _run, ...said } = message.child;
  const named = Object.values(said).some((v) => v !== undefined);
  // A report with the RUN alone says nothing the registry does not.
  if (!named && run !== undefined) return;
  await directory.putIfAbsent({
    childId,
    ...(run !== undefined ? { run } : {}),
    comuna: message.comuna,
    ...said,
    source: ALERT_SOURCE,
    cut: message.receivedAt.slice(0, 7),
  });
}

/**
 * Identifying provisional children after the data changes: each child an alert named without RUN
 * is looked for again among the children the identity store knows by RUN (a later ingest of the
 * social registry or the protection programs brings names and birth dates). One found with
 * certainty is merged into (`merge-child.ts`); those who come close are shown on the child's
 * alerts as candidates for a person at the OLN. Merges cut short are finished here too.
 */
import type { IdentityStore } from '../../identity/domain/identity';
import { ALERT_SOURCE } from '../../identity/domain/identity';
import type { MatchCandidate } from '../../identity/domain/matching';
import { birthDateRange, decideMatch, matchBlockOf, reportedChild } from '../../identity/domain/matching';
import type { StoredAlert } from './alert';
import type { MergeDeps } from './merge-child';
import { MergeRefusedError, mergeProvisionalChild } from './merge-child';
import type { AlertStore } from './ports';

export interface IdentifyDeps extends MergeDeps {
  readonly alerts: MergeDeps['alerts'] & Pick<AlertStore, 'awaitingIdentification'>;
  readonly directory: MergeDeps['directory'] & Pick<IdentityStore, 'matchRecords' | 'recordsOf'>;
}

export interface IdentifyOutcome {
  /** Provisional children merged into a known child (merges finished included). */
  readonly merged: number;
  /** Provisional children whose alerts now show other candidates. */
  readonly candidatesChanged: number;
  /** Found with certainty but not merged (a case is open on them): shown as the one candidate. */
  readonly refused: number;
  /** Provisional children looked at. */
  readonly looked: number;
}

export async function identifyProvisionalChildren(deps: IdentifyDeps, now: string): Promise<IdentifyOutcome> {
  const byChild = new Map<string, StoredAlert[]>();
  for (const alert of await deps.alerts.awaitingIdentification()) {
    const group = byChild.get(alert.childId) ?? [];
    group.push(alert);
    byChild.set(alert.childId, group);
  }
  let merged = 0;
  let candidatesChanged = 0;
  let refused = 0;
  // A merge moves every alert of its provisional child, whichever group they were read in.
  const mergedNow = new Set<string>();
  for (const [childId, alerts] of byChild) {
    if (mergedNow.has(childId)) continue;
    // A merge cut short: the alerts are under the known child already, or the marker says where to.
    const unfinished = await unfinishedMerge(deps, childId, alerts);
    if (unfinished) {
      if (mergedNow.has(unfinished.from)) continue;
      await mergeProvisionalChild(deps, { ...unfinished, method: 'ingesta', at: now });
      mergedNow.add(unfinished.from);
      merged++;
      continue;
    }
    const found = await lookFor(deps, childId, alerts);
    if (found.kind === 'certain') {
      try {
        await mergeProvisionalChild(deps, {
          from: childId,
          to: found.candidate.childId,
          method: 'ingesta',
          at: now,
        });
        merged++;
        continue;
      } catch (error) {
        if (!(error instanceof MergeRefusedError)) throw error;
        refused++;
      }
    }
    const candidates =
      found.kind === 'certain' ? [found.candidate] : found.kind === 'uncertain' ? found.candidates : [];
    if (await showCandidates(deps, alerts, candidates)) candidatesChanged++;
  }
  return { merged, candidatesChanged, refused, looked: byChild.size };
}

async function unfinishedMerge(
  deps: IdentifyDeps,
  childId: string,
  alerts: readonly StoredAlert[],
): Promise<{ from: string; to: string } | undefined> {
  const into = await deps.directory.mergedInto(childId);
  if (into !== undefined) return { from: childId, to: into };
  for (const alert of alerts) {
    const from = alert.identification?.provisionalChildId;
    if (from === undefined || from === childId) continue;
    if ((await deps.directory.mergedInto(from)) === childId) return { from, to: childId };
  }
  return undefined;
}

/** Looks for the provisional child among the children known by RUN, by what the reporter said. */
async function lookFor(deps: IdentifyDeps, childId: string, alerts: readonly StoredAlert[]) {
  const said = (await deps.directory.recordsOf(childId)).find((r) => r.source === ALERT_SOURCE);
  if (!said) return { kind: 'none' } as const;
  const first = [...alerts].sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1))[0];
  const asOf = first?.observedAt ?? first?.receivedAt.slice(0, 10) ?? said.cut;
  const reported = reportedChild(said, said.comuna, asOf);
  const block = reported && matchBlockOf(reported.comuna, reported.paternalSurname);
  if (!reported || !block) return { kind: 'none' } as const;
  const records = await deps.directory.matchRecords(block, birthDateRange(reported));
  // Only a child the data knows by RUN: two provisional children are not merged with each other.
  return decideMatch(
    reported,
    records.filter((r) => r.childId !== childId && !r.provisional),
  );
}

const sameCandidates = (a: readonly MatchCandidate[] | undefined, b: readonly MatchCandidate[]): boolean =>
  JSON.stringify((a ?? []).map((c) => c.childId)) === JSON.stringify(b.map((c) => c.childId));

/** Writes `candidates` on each alert that shows others; says whether any changed. */
async function showCandidates(
  deps: IdentifyDeps,
  alerts: readonly StoredAlert[],
  candidates: readonly MatchCandidate[],
): Promise<boolean> {
  let changed = false;
  for (const alert of alerts) {
    if (sameCandidates(alert.identification?.candidates, candidates)) continue;
    const { candidates: _old, ...identification } = alert.identification ?? {
      method: 'provisional' as const,
      at: alert.receivedAt,
    };
    const next: StoredAlert = {
      ...alert,
      identification: { ...identification, ...(candidates.length > 0 ? { candidates } : {}) },
    };
    // A person changed the alert meanwhile: the next run looks again.
    if (await deps.alerts.update(next, alert.version ?? 1)) changed = true;
  }
  return changed;
}

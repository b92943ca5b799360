/**
 * The ICI's carry-over of open inconsistencies from a source's previous cut to the next: which
 * previous list a run reads, which keys chunk tasks look up in it, and the list after the run.
 */

import type { ObjectStore } from '../../../shared/domain/object-store';
import { linesOf } from '../lines';
import type { QualityTally } from '../quality';
import { tallyCarried } from '../quality';
import type { IngestRunDeps } from './deps';
import type { IngestPlan } from './work-layout';
import { workKeys } from './work-layout';

/** A completeness inconsistency: the record (pseudonymous key), where it is counted, what it lacks. */
export interface OpenInconsistency {
  readonly k: string;
  readonly q: string;
  readonly items: readonly string[];
  /** The cut where it was first seen. */
  readonly since?: string;
}

/** The open-inconsistency list of the source's latest cut before `cut`, if any. */
export async function previousOpenKey(
  curated: ObjectStore,
  cut: string,
  source: string,
): Promise<string | null> {
  const suffix = `/${source}.open.ndjson`;
  const earlier = (await curated.list('quality/'))
    .filter((k) => k.endsWith(suffix) && k.slice('quality/'.length, 'quality/'.length + 7) < cut)
    .sort();
  return earlier.at(-1) ?? null;
}

let openKeysCache: { key: string; keys: ReadonlySet<string> } | undefined;

export async function openKeysOf(store: ObjectStore, key: string): Promise<ReadonlySet<string>> {
  if (openKeysCache?.key === key) return openKeysCache.keys;
  const keys = new Set<string>();
  for await (const line of linesOf(store, key)) keys.add((JSON.parse(line) as OpenInconsistency).k);
  openKeysCache = { key, keys };
  return keys;
}

/**
 * The ICI counts an inconsistency every month until it is corrected; an institution's next extract
 * is its correction. So an open inconsistency of the previous cut whose record comes again is judged
 * on its new state; one whose record is absent while its institution (per comuna: the quality key)
 * sent rows in this cut is closed, as the institution no longer has that record; one whose
 * institution sent nothing in this cut is counted once more and stays open, until the institution
 * reports again. Returns the open list after this cut.
 */
export async function carryInconsistencies(
  deps: IngestRunDeps,
  plan: IngestPlan,
  tally: QualityTally,
): Promise<string[]> {
  const current = new Map<string, OpenInconsistency>();
  for (const key of await deps.work.list(workKeys.openPrefix(plan.runId))) {
    for await (const line of linesOf(deps.work, key)) {
      const entry = JSON.parse(line) as OpenInconsistency;
      if (!current.has(entry.k)) current.set(entry.k, { ...entry, since: plan.cut });
    }
  }
  if (plan.previousOpen) {
    const seen = new Set<string>();
    for (const key of await deps.work.list(workKeys.seenPrefix(plan.runId))) {
      for await (const line of linesOf(deps.work, key)) seen.add(line);
    }
    // Institutions that sent rows, accepted or not, before anything is carried into the tally.
    const reported = new Set(Object.keys(tally).filter((q) => (tally[q]?.rows ?? 0) > 0));
    for await (const line of linesOf(deps.curated, plan.previousOpen)) {
      const entry = JSON.parse(line) as OpenInconsistency;
      const again = current.get(entry.k);
      if (again) {
        current.set(entry.k, { ...again, since: entry.since ?? again.since });
      } else if (!seen.has(entry.k) && !reported.has(entry.q)) {
        tallyCarried(tally, entry.q, entry.items);
        current.set(entry.k, entry);
      }
    }
  }
  return [...current.values()].map((e) => JSON.stringify(e));
}

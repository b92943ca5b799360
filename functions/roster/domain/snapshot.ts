/**
 * A roster snapshot for the dashboards: per comuna, the ordered entries (pseudonymous) and the
 * aggregate figures a dashboard shows without opening individual entries.
 */
import type { RosterEntry } from './roster';
import { OPEN_ALERT_STATES } from './roster';

export interface ComunaSnapshot {
  readonly comuna: string;
  readonly name: string;
  readonly takenAt: string;
  readonly currentCut: string | null;
  readonly modelVersion: string | null;
  readonly totals: {
    readonly entries: number;
    readonly withOpenAlert: number;
    readonly urgentAlerts: number;
    readonly provisional: number;
  };
  /** Count of scored children per ventile, index 0 = ventile 1. */
  readonly ventiles: readonly number[];
  /** The most frequent top reason among the 20th ventile, with counts. */
  readonly topReasonsHighestVentile: readonly { readonly text: string; readonly count: number }[];
  readonly entries: readonly RosterEntry[];
}

export function buildSnapshot(
  comuna: { cut: string; name: string },
  entries: readonly RosterEntry[],
  meta: { currentCut?: string; modelVersion?: string },
  takenAt: string,
): ComunaSnapshot {
  const ventiles = new Array<number>(20).fill(0);
  const reasons = new Map<string, number>();
  let withOpenAlert = 0;
  let urgent = 0;
  let provisional = 0;
  for (const e of entries) {
    if (e.ventile !== undefined && e.ventile >= 1 && e.ventile <= 20)
      ventiles[e.ventile - 1] = (ventiles[e.ventile - 1] ?? 0) + 1;
    // An entry keeps its closed alerts as history: only those still open count.
    const open = (e.alerts ?? []).filter((a) => OPEN_ALERT_STATES.has(a.state));
    if (open.length > 0) withOpenAlert++;
    if (open.some((a) => a.urgent)) urgent++;
    if (e.provisional) provisional++;
    if (e.ventile === 20) {
      const text = e.reasons?.[0]?.text;
      if (text) reasons.set(text, (reasons.get(text) ?? 0) + 1);
    }
  }
  return {
    comuna: comuna.cut,
    name: comuna.name,
    takenAt,
    currentCut: meta.currentCut ?? null,
    modelVersion: meta.modelVersion ?? null,
    totals: { entries: entries.length, withOpenAlert, urgentAlerts: urgent, provisional },
    ventiles,
    topReasonsHighestVentile: [...reasons.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([text, count]) => ({ text, count })),
    entries,
  };
}

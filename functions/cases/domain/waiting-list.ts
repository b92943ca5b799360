/**
 * A comuna's waiting list: cases accepted by the OLN that no worker can take under the caps. They
 * are offered in order of urgency (a child with an urgent open alert first), then risk (higher
 * ventile first; a child known from alerts only, with no ventile, after the scored ones), then time
 * waited (longest first), then case id for a stable order. Plain functions over plain data.
 */

export interface WaitingCase {
  readonly caseId: string;
  /** The child has an open urgent alert. */
  readonly urgent: boolean;
  /** The child's ventile on the roster (1–20, 20 the highest risk); absent when not scored. */
  readonly ventile?: number;
  /** When the case joined the list (ISO timestamp). */
  readonly waitingSince: string;
}

/** Sorts a waiting list into the order in which places are offered. */
export function waitingOrder(a: WaitingCase, b: WaitingCase): number {
  if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
  const va = a.ventile ?? 0;
  const vb = b.ventile ?? 0;
  if (va !== vb) return vb - va;
  if (a.waitingSince !== b.waitingSince) return a.waitingSince < b.waitingSince ? -1 : 1;
  return a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0;
}

/** The case a freed place is offered to first, or undefined when nobody waits. */
export function nextOnList(list: readonly WaitingCase[]): WaitingCase | undefined {
  return [...list].sort(waitingOrder)[0];
}

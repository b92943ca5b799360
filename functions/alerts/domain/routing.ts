/**
 * Which OLN handles an alert. An alert is raised in the reporter's comuna, but the child may be
 * registered in another: the alert goes to the comuna whose roster holds the child, so that the
 * office that serves the child sees it, and the reporter's comuna keeps a record of where it went.
 */
import type { RosterPlacement } from '../../roster/domain/roster';

/**
 * The comuna that handles an alert raised in `raisedIn` for a child with these roster placements:
 * - a child the data knows (an entry scoring made) goes to the comuna of its latest cut;
 * - a child known only from earlier alerts stays where its provisional entry already is;
 * - a child on no roster at all stays in `raisedIn`, where it becomes a provisional entry.
 * Among several comunas of equal standing, `raisedIn` if it is one, else the lowest CUT code, so
 * that every redelivery of the alert makes the same choice.
 */
export function routeAlert(placements: readonly RosterPlacement[], raisedIn: string): string {
  const known = placements.filter((p) => !p.provisional);
  const latest = known.reduce((max, p) => ((p.cut ?? '') > max ? (p.cut ?? '') : max), '');
  const pool = known.length > 0 ? known.filter((p) => (p.cut ?? '') === latest) : placements;
  if (pool.length === 0 || pool.some((p) => p.comuna === raisedIn)) return raisedIn;
  return pool.map((p) => p.comuna).sort()[0] ?? raisedIn;
}

/**
 * The nómina's view of a child's alerts, written in this one place: every change of an alert (its
 * filing by the consumer, each transition by the OLN) projects the alert onto the child's roster
 * entry through here. The alerts table is the source of truth; the entry keeps a summary per alert,
 * never replaced by an older version, and a repeat report is listed under the alert it repeats.
 */
import type { AlertSummary, RosterStore } from '../../roster/domain/roster';
import type { StoredAlert } from './alert';

export type AlertProjectionTarget = Pick<RosterStore, 'recordAlert' | 'recordRepeatReport'>;

/** What the nómina shows of an alert. */
export function summaryOf(alert: StoredAlert): AlertSummary {
  return {
    alertId: alert.alertId,
    riskFactor: alert.riskFactor,
    urgent: alert.urgent,
    state: alert.state,
    receivedAt: alert.receivedAt,
    repeatAlertIds: [],
    version: alert.version ?? 1,
  };
}

/** Projects `alert` onto the roster entry of its child in the comuna that handles it (idempotent). */
export async function projectAlert(roster: AlertProjectionTarget, alert: StoredAlert): Promise<void> {
  if (alert.repeatOf !== undefined) {
    await roster.recordRepeatReport(alert.comuna, alert.childId, alert.repeatOf, alert.alertId);
  } else {
    await roster.recordAlert(alert.comuna, alert.childId, summaryOf(alert));
  }
}

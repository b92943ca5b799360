/**
 * Escalation of urgent alerts: every urgent alert no person at the OLN has acted on within the
 * configured hours is notified to the coordinador regional, once. The notice goes first (it is
 * idempotent), then the alert is marked escalated, so that a failure between the two sends the
 * notice again on the next pass rather than never.
 */
import { dueForEscalation, escalationNotice } from './notifications';
import type { AlertStore, Notifier } from './ports';

export async function escalateUrgentAlerts(
  deps: { alerts: Pick<AlertStore, 'awaitingAcknowledgement' | 'markEscalated'>; notifier: Notifier },
  now: Date,
  hours: number,
): Promise<string[]> {
  const before = new Date(now.getTime() - hours * 3_600_000).toISOString();
  const escalated: string[] = [];
  for (const alert of await deps.alerts.awaitingAcknowledgement(before)) {
    if (!dueForEscalation(alert, now, hours)) continue;
    await deps.notifier.notify(escalationNotice(alert, hours));
    if (await deps.alerts.markEscalated(alert.alertId, now.toISOString())) escalated.push(alert.alertId);
  }
  return escalated;
}

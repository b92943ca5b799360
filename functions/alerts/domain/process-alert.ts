/**
 * The consumer's use case for one queued alert: store it once (redeliveries are no-ops), recognise a
 * repeat report of an open alert for the same child and risk factor, and put the child at the top of
 * its comuna's roster, creating a provisional entry if the child is not known from the data.
 */
import type { RosterStore } from '../../roster/domain/roster';
import type { AlertMessage, StoredAlert } from './alert';
import { findRepeatedAlert, INITIAL_ALERT_STATE } from './alert';
import type { AlertStore } from './ports';

export type AlertOutcome = 'new' | 'repeat' | 'redelivered';

export async function processAlert(
  deps: { alerts: AlertStore; roster: RosterStore },
  message: AlertMessage,
): Promise<AlertOutcome> {
  const existing = await deps.alerts.ofChild(message.childId);
  const already = existing.find((a) => a.alertId === message.alertId);
  const repeated = already ? undefined : findRepeatedAlert(existing, message);
  const stored: StoredAlert = already ?? {
    ...message,
    state: INITIAL_ALERT_STATE,
    ...(repeated ? { repeatOf: repeated.alertId } : {}),
  };
  const created = already ? 'exists' : await deps.alerts.create(stored);
  const record = created === 'exists' ? ((await deps.alerts.get(message.alertId)) ?? stored) : stored;
  // The roster update is idempotent, so it is (re)applied on redelivery too.
  if (record.repeatOf) {
    await deps.roster.recordRepeatReport(record.comuna, record.childId, record.repeatOf, record.alertId);
  } else {
    await deps.roster.recordAlert(record.comuna, record.childId, {
      alertId: record.alertId,
      riskFactor: record.riskFactor,
      urgent: record.urgent,
      state: record.state,
      receivedAt: record.receivedAt,
      repeatAlertIds: [],
    });
  }
  if (created === 'exists') return 'redelivered';
  return record.repeatOf ? 'repeat' : 'new';
}

/**
 * The consumer's use case for one queued alert: store it once (redeliveries are no-ops), recognise a
 * repeat report of an open alert for the same child and risk factor, send it to the comuna whose
 * roster holds the child (the reporter's comuna is kept on the alert), and put the child at the top
 * of that roster, creating a provisional entry in the reporter's comuna if no roster holds the child;
 * an urgent alert is notified to the coordinador of the comuna that handles it.
 */
import type { RosterStore } from '../../roster/domain/roster';
import type { AlertMessage, StoredAlert } from './alert';
import { findRepeatedAlert, INITIAL_ALERT_STATE } from './alert';
import { urgentNotice } from './notifications';
import type { AlertStore, Notifier } from './ports';
import type { AlertProjectionTarget } from './projection';
import { projectAlert } from './projection';
import { routeAlert } from './routing';

export type AlertOutcome = 'new' | 'repeat' | 'redelivered';

export interface ProcessedAlert {
  readonly outcome: AlertOutcome;
  /** The comuna that handles the alert. */
  readonly comuna: string;
}

export async function processAlert(
  deps: {
    alerts: AlertStore;
    roster: Pick<RosterStore, 'placementsOf'> & AlertProjectionTarget;
    notifier: Notifier;
  },
  message: AlertMessage,
): Promise<ProcessedAlert> {
  const existing = await deps.alerts.ofChild(message.childId);
  const already = existing.find((a) => a.alertId === message.alertId);
  let record: StoredAlert;
  let created: 'created' | 'exists';
  if (already) {
    record = already;
    created = 'exists';
  } else {
    const repeated = findRepeatedAlert(existing, message);
    // A repeat joins the alert it repeats; anything else goes where the child is on a roster.
    // Routing is decided once: a redelivery finds the stored alert and keeps its comuna.
    const comuna = repeated
      ? repeated.comuna
      : routeAlert(await deps.roster.placementsOf(message.childId), message.comuna);
    const stored: StoredAlert = {
      ...message,
      comuna,
      raisedInComuna: message.comuna,
      state: INITIAL_ALERT_STATE,
      version: 1,
      // An urgent alert waits for a person's first action, or its escalation.
      ...(message.urgent && !repeated ? { awaitingAck: 'urgente' as const } : {}),
      ...(repeated ? { repeatOf: repeated.alertId } : {}),
    };
    created = await deps.alerts.create(stored);
    record = created === 'exists' ? ((await deps.alerts.get(message.alertId)) ?? stored) : stored;
  }
  // The projection is idempotent, so it is (re)applied on redelivery too.
  await projectAlert(deps.roster, record);
  // Idempotent too: a notice filed before is not sent again.
  if (record.urgent && record.repeatOf === undefined) await deps.notifier.notify(urgentNotice(record));
  const outcome = created === 'exists' ? 'redelivered' : record.repeatOf ? 'repeat' : 'new';
  return { outcome, comuna: record.comuna };
}

/**
 * The consumer's use case for one queued alert: store it once (redeliveries are no-ops), recognise a
 * repeat report of an open alert for the same child and risk factor, send it to the comuna whose
 * roster holds the child (the reporter's comuna is kept on the alert), and put the child at the top
 * of that roster, creating a provisional entry in the reporter's comuna if no roster holds the child;
 * an urgent alert is notified to the coordinador of the comuna that handles it.
 */
import type { RosterStore } from '../../roster/domain/roster';
import type { AlertMessage, StoredAlert } from './alert';
import { findRepeatedAlert, INITIAL_ALERT_STATE, isOpen } from './alert';
import type { IdentifiedChild } from './identify-child';
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
    /** Finds the child (`identify-child.ts`). */
    identify: (message: AlertMessage) => Promise<IdentifiedChild>;
  },
  message: AlertMessage,
): Promise<ProcessedAlert> {
  // A child named without RUN is decided when the alert is filed: a redelivery finds the alert
  // first and does not match it again (the data may have changed since). A RUN decides alone.
  const filed = message.child.run === undefined ? await deps.alerts.get(message.alertId) : undefined;
  const child = filed ? undefined : await deps.identify(message);
  const existing = child && !child.fresh ? await deps.alerts.ofChild(child.childId) : [];
  const already = filed ?? existing.find((a) => a.alertId === message.alertId);
  let record: StoredAlert;
  let created: 'created' | 'exists';
  if (already || !child) {
    record = already as StoredAlert;
    created = 'exists';
  } else {
    const incoming = {
      alertId: message.alertId,
      riskFactor: message.riskFactor,
      receivedAt: message.receivedAt,
    };
    const repeated = findRepeatedAlert(existing, incoming);
    // A repeat joins the alert it repeats; anything else goes where the child is on a roster.
    // Routing is decided once: a redelivery finds the stored alert and keeps its comuna.
    const comuna = repeated
      ? repeated.comuna
      : routeAlert(child.fresh ? [] : await deps.roster.placementsOf(child.childId), message.comuna);
    const stored: StoredAlert = {
      alertId: message.alertId,
      childId: child.childId,
      comuna,
      raisedInComuna: message.comuna,
      riskFactor: message.riskFactor,
      description: message.description,
      urgent: message.urgent,
      ...(message.observedAt !== undefined ? { observedAt: message.observedAt } : {}),
      receivedAt: message.receivedAt,
      reportedBy: {
        subject: message.reporter.id,
        role: message.reporter.role,
        institution: message.reporter.institution,
      },
      identification: child.identification,
      ...(child.provisional ? { awaitingIdentity: 'provisional' as const } : {}),
      state: INITIAL_ALERT_STATE,
      version: 1,
      // An urgent alert waits for a person's first action, or its escalation.
      ...(message.urgent && !repeated ? { awaitingAck: 'urgente' as const } : {}),
      ...(repeated ? { repeatOf: repeated.alertId } : {}),
    };
    created = await deps.alerts.create(stored);
    record = created === 'exists' ? ((await deps.alerts.get(message.alertId)) ?? stored) : stored;
  }
  if (record.repeatOf === undefined && isOpen(record.state))
    record = await holdOpenPlace(deps.alerts, record);
  // The projection is idempotent, so it is (re)applied on redelivery too.
  await projectAlert(deps.roster, record);
  // Idempotent too: a notice filed before is not sent again.
  if (record.urgent && record.repeatOf === undefined) await deps.notifier.notify(urgentNotice(record));
  const outcome = created === 'exists' ? 'redelivered' : record.repeatOf ? 'repeat' : 'new';
  return { outcome, comuna: record.comuna };
}

/**
 * Makes `alert` the open alert of its child and risk factor, or, when another open one holds that
 * place (filed at the same moment by another consumer, which the child's alerts read before did not
 * show yet), a repeat of it. A place held by an alert that has closed, or is gone, is taken over.
 */
async function holdOpenPlace(alerts: AlertStore, alert: StoredAlert): Promise<StoredAlert> {
  let holder = await alerts.claimOpen(alert);
  for (let attempt = 0; holder !== alert.alertId && attempt < 3; attempt++) {
    const primary = await alerts.get(holder);
    if (primary && isOpen(primary.state) && primary.repeatOf === undefined) {
      const { awaitingAck: _none, ...rest } = alert;
      const repeat: StoredAlert = { ...rest, comuna: primary.comuna, repeatOf: primary.alertId };
      const read = alert.version ?? 1;
      if (await alerts.update(repeat, read)) return { ...repeat, version: read + 1 };
      // Changed meanwhile (a redelivery, a person): judge it again as it is now.
      const now = await alerts.get(alert.alertId);
      return now ?? alert;
    }
    holder = await alerts.claimOpen(alert, holder);
  }
  return alert;
}

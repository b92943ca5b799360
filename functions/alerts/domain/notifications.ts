/**
 * Notices that make an urgent alert reach a person: the comuna's coordinador is told when an urgent
 * alert is filed, and the coordinador regional when no one at the OLN has acted on it within the
 * configured hours. A notice names the child by pseudonym only; its words are for people, in Spanish.
 * Each notice has a stable id and time derived from its alert, so that filing it again (a redelivery,
 * a retry) is the same notice, never a second one.
 */
import { findComuna } from '../../shared/domain/comunas';
import type { StoredAlert } from './alert';
import { riskFactorView } from './alert';

export const NOTICE_KINDS = ['alerta_urgente', 'escalamiento'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export type NoticeAudience = 'coordinador' | 'coordinador_regional';

export interface Notice {
  readonly noticeId: string;
  readonly kind: NoticeKind;
  /** The role the notice is for, in the comuna (or the region) of the alert. */
  readonly audience: NoticeAudience;
  readonly comuna: string;
  /** The region's code: the first two digits of the comuna's CUT. */
  readonly region: string;
  readonly alertId: string;
  readonly childId: string;
  readonly riskFactor: string;
  /** When the notice became due: the alert's arrival, or its arrival plus the escalation hours. */
  readonly dueAt: string;
  readonly text: string;
}

const chileTime = new Intl.DateTimeFormat('es-CL', {
  timeZone: 'America/Santiago',
  dateStyle: 'short',
  timeStyle: 'short',
  hourCycle: 'h23',
});

const where = (comuna: string): string => {
  const name = findComuna(comuna)?.name;
  return name ? `${name} (${comuna})` : `la comuna ${comuna}`;
};

/** What every notice of `alert` says of it. */
function aboutAlert(alert: StoredAlert, kind: NoticeKind, audience: NoticeAudience) {
  return {
    noticeId: `${kind}:${alert.alertId}`,
    kind,
    audience,
    comuna: alert.comuna,
    region: alert.comuna.slice(0, 2),
    alertId: alert.alertId,
    childId: alert.childId,
    riskFactor: alert.riskFactor,
  };
}

/** The notice to the comuna's coordinador of an urgent alert just filed. */
export function urgentNotice(alert: StoredAlert): Notice {
  return {
    ...aboutAlert(alert, 'alerta_urgente', 'coordinador'),
    dueAt: alert.receivedAt,
    text:
      `Alerta urgente en ${where(alert.comuna)}: ${riskFactorView(alert.riskFactor).label}. ` +
      `Niño, niña o adolescente ${alert.childId}, recibida el ${chileTime.format(new Date(alert.receivedAt))}. ` +
      `Tome conocimiento en SAN: /v1/alerts/${alert.alertId}`,
  };
}

/** The notice to the coordinador regional of an urgent alert no one acted on within `hours`. */
export function escalationNotice(alert: StoredAlert, hours: number): Notice {
  return {
    ...aboutAlert(alert, 'escalamiento', 'coordinador_regional'),
    dueAt: new Date(Date.parse(alert.receivedAt) + hours * 3_600_000).toISOString(),
    text:
      `Alerta urgente sin atender hace más de ${hours} horas en ${where(alert.comuna)}: ` +
      `${riskFactorView(alert.riskFactor).label}. Niño, niña o adolescente ${alert.childId}, ` +
      `recibida el ${chileTime.format(new Date(alert.receivedAt))}. La OLN no ha tomado conocimiento; ` +
      `revísela con la coordinación comunal: /v1/alerts/${alert.alertId}`,
  };
}

/** Whether an urgent alert is due for escalation at `now`: unacknowledged, not escalated, old enough. */
export function dueForEscalation(alert: StoredAlert, now: Date, hours: number): boolean {
  return (
    alert.urgent &&
    alert.repeatOf === undefined &&
    alert.acknowledgedAt === undefined &&
    alert.escalatedAt === undefined &&
    alert.state === 'sin gestionar' &&
    Date.parse(alert.receivedAt) + hours * 3_600_000 <= now.getTime()
  );
}

/**
 * Escalation of urgent alerts: due only when urgent, unacknowledged, not escalated and older than
 * the configured hours; escalated once, to the coordinador regional, with the notice sent before the
 * alert is marked so that a failure between the two sends it again rather than never.
 */
import { describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../../functions/alerts/domain/alert';
import { escalateUrgentAlerts } from '../../../functions/alerts/domain/escalate';
import type { Notice } from '../../../functions/alerts/domain/notifications';
import {
  dueForEscalation,
  escalationNotice,
  urgentNotice,
} from '../../../functions/alerts/domain/notifications';

const HOUR = 3_600_000;
const RECEIVED = '2026-12-01T12:00:00.000Z';
const alert = (over: Partial<StoredAlert> = {}): StoredAlert => ({
  alertId: '6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
  childId: 'n-abcdefghijklmnopqrstuv',
  comuna: '08101',
  raisedInComuna: '13101',
  riskFactor: 'situacion_de_calle',
  description: 'Pernocta en la plaza; RUN no informado',
  urgent: true,
  receivedAt: RECEIVED,
  reportedBy: { subject: 'sect-1', role: 'sectorialista', institution: 'CESFAM' },
  state: 'sin gestionar',
  awaitingAck: 'urgente',
  ...over,
});
const at = (hours: number) => new Date(Date.parse(RECEIVED) + hours * HOUR);

describe('dueForEscalation', () => {
  it('is due from the configured hours on, and not before', () => {
    expect(dueForEscalation(alert(), at(23.9), 24)).toBe(false);
    expect(dueForEscalation(alert(), at(24), 24)).toBe(true);
    expect(dueForEscalation(alert(), at(2), 2)).toBe(true);
  });

  it('is never due for an alert acted on, escalated, not urgent or a repeat', () => {
    const late = at(48);
    expect(
      dueForEscalation(alert({ acknowledgedAt: RECEIVED, state: 'en espera de atención' }), late, 24),
    ).toBe(false);
    expect(dueForEscalation(alert({ escalatedAt: at(25).toISOString() }), late, 24)).toBe(false);
    expect(dueForEscalation(alert({ urgent: false }), late, 24)).toBe(false);
    expect(dueForEscalation(alert({ repeatOf: 'x' }), late, 24)).toBe(false);
  });
});

describe('notices', () => {
  it('name the comuna, the risk factor and the pseudonym, never the report, with ids stable per alert', () => {
    const urgent = urgentNotice(alert());
    expect(urgent).toMatchObject({
      kind: 'alerta_urgente',
      audience: 'coordinador',
      region: '08',
      dueAt: RECEIVED,
    });
    expect(urgent.text).toContain('Concepción (08101)');
    expect(urgent.text).toContain('Situación de calle');
    expect(urgent.text).toContain('n-abcdefghijklmnopqrstuv');
    expect(urgent.text).not.toContain('Pernocta');
    expect(urgentNotice(alert())).toEqual(urgent);
    const escalation = escalationNotice(alert(), 24);
    expect(escalation).toMatchObject({
      kind: 'escalamiento',
      audience: 'coordinador_regional',
      dueAt: at(24).toISOString(),
    });
    expect(escalation.text).toContain('más de 24 horas');
    expect(escalation.noticeId).not.toBe(urgent.noticeId);
  });
});

describe('escalateUrgentAlerts', () => {
  function memory(alerts: StoredAlert[]) {
    const sent: Notice[] = [];
    const held = new Map(alerts.map((a) => [a.alertId, a]));
    return {
      sent,
      held,
      deps: {
        alerts: {
          awaitingAcknowledgement: async (before: string) =>
            [...held.values()].filter(
              (a) => a.awaitingAck === 'urgente' && a.receivedAt <= before && !a.escalatedAt,
            ),
          markEscalated: async (alertId: string, when: string) => {
            const a = held.get(alertId);
            if (!a || a.awaitingAck === undefined || a.escalatedAt !== undefined) return false;
            held.set(alertId, { ...a, escalatedAt: when });
            return true;
          },
        },
        notifier: {
          notify: async (notice: Notice) => {
            if (!sent.some((n) => n.noticeId === notice.noticeId)) sent.push(notice);
          },
        },
      },
    };
  }

  it('escalates each overdue urgent alert once, and leaves the others', async () => {
    const m = memory([
      alert(),
      alert({ alertId: 'recent', receivedAt: at(20).toISOString() }),
      alert({
        alertId: 'seen',
        awaitingAck: undefined,
        acknowledgedAt: RECEIVED,
        state: 'en espera de atención',
      }),
    ]);
    expect(await escalateUrgentAlerts(m.deps, at(25), 24)).toEqual([alert().alertId]);
    expect(m.sent.map((n) => n.noticeId)).toEqual([`escalamiento:${alert().alertId}`]);
    expect(await escalateUrgentAlerts(m.deps, at(26), 24)).toEqual([]);
    expect(m.sent).toHaveLength(1);
    // The recent one in its turn.
    expect(await escalateUrgentAlerts(m.deps, at(45), 24)).toEqual(['recent']);
  });

  it('sends the notice before marking the alert, so that a failed mark sends it again next time', async () => {
    const m = memory([alert()]);
    const failing = {
      ...m.deps,
      alerts: { ...m.deps.alerts, markEscalated: async () => Promise.reject(new Error('throttled')) },
    };
    await expect(escalateUrgentAlerts(failing, at(25), 24)).rejects.toThrow('throttled');
    expect(m.sent).toHaveLength(1);
    expect(await escalateUrgentAlerts(m.deps, at(26), 24)).toEqual([alert().alertId]);
  });
});

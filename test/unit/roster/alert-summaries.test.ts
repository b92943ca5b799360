/**
 * What the nómina keeps of a child's alerts: a summary per alert, brought up to the alert's newest
 * version and never back, and dashboards that count only the alerts still open.
 */
import { describe, expect, it } from 'vitest';
import type { AlertSummary, RosterEntry } from '../../../functions/roster/domain/roster';
import { alertKey, withAlert } from '../../../functions/roster/domain/roster';
import { buildSnapshot } from '../../../functions/roster/domain/snapshot';

const summary = (over: Partial<AlertSummary> = {}): AlertSummary => ({
  alertId: 'a-1',
  riskFactor: 'situacion_de_calle',
  urgent: true,
  state: 'sin gestionar',
  receivedAt: '2026-11-02T10:00:00.000Z',
  repeatAlertIds: [],
  ...over,
});

const entry = (childId: string, alerts: AlertSummary[]): RosterEntry => ({
  comuna: '13101',
  childId,
  origin: 'manual',
  provisional: true,
  alerts,
});

describe('withAlert', () => {
  it('adds an alert the entry does not have', () => {
    expect(withAlert([], summary())).toEqual([summary()]);
  });

  it('replaces an older version and keeps the repeat reports the entry gathered', () => {
    const held = summary({ repeatAlertIds: ['a-2'] });
    const next = withAlert([held], summary({ state: 'en espera de atención', version: 2 }));
    expect(next).toEqual([summary({ state: 'en espera de atención', version: 2, repeatAlertIds: ['a-2'] })]);
  });

  it('never goes back to an older or the same version', () => {
    const held = summary({ state: 'resuelta', version: 4 });
    expect(withAlert([held], summary({ state: 'en ejecución', version: 3 }))).toBeUndefined();
    expect(withAlert([held], summary({ state: 'resuelta', version: 4 }))).toBeUndefined();
    // A summary written before alerts had versions is version 1.
    expect(withAlert([summary()], summary())).toBeUndefined();
  });

  it('takes a closed alert out of the alert tier of the nómina', () => {
    const closed = withAlert([summary()], summary({ state: 'resuelta', version: 3 })) ?? [];
    expect(alertKey([summary()])).toBe('0#2026-11-02T10:00:00.000Z');
    expect(alertKey(closed)).toBeUndefined();
  });
});

describe('buildSnapshot', () => {
  it('counts only open alerts as open and urgent', () => {
    const entries = [
      entry('n-open', [summary({ urgent: false })]),
      entry('n-urgent', [summary({ alertId: 'a-3', state: 'en ejecución' })]),
      entry('n-closed', [summary({ alertId: 'a-4', state: 'resuelta' })]),
      entry('n-not-hers', [summary({ alertId: 'a-5', state: 'no corresponde' })]),
      entry('n-mixed', [
        summary({ alertId: 'a-6', state: 'no resuelta' }),
        summary({ alertId: 'a-7', urgent: false }),
      ]),
    ];
    const snapshot = buildSnapshot(
      { cut: '13101', name: 'Santiago' },
      entries,
      {},
      '2026-12-01T00:00:00.000Z',
    );
    expect(snapshot.totals).toEqual({ entries: 5, withOpenAlert: 3, urgentAlerts: 1, provisional: 5 });
  });
});

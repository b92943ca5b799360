/**
 * The alert life cycle as one state machine: every allowed transition by every role allowed to take
 * it, every other role refused, every other state refused with what it allows, the case link of
 * `iniciar`, and repeat reports that follow the alert they repeat.
 */
import { describe, expect, it } from 'vitest';
import type { AlertAction, AlertState, StoredAlert } from '../../../functions/alerts/domain/alert';
import { ALERT_ACTIONS, ALERT_STATES, isOpen } from '../../../functions/alerts/domain/alert';
import {
  ALERT_TRANSITIONS,
  AlertWorkflowError,
  alertActionsFor,
  transitionAlert,
} from '../../../functions/alerts/domain/alert-workflow';
import { OPEN_ALERT_STATES } from '../../../functions/roster/domain/roster';
import type { Role } from '../../../functions/shared/domain/access';
import { ROLES, rolesAllowed } from '../../../functions/shared/domain/access';
import { thrownBy } from '../thrown';

const AT = '2026-12-01T12:00:00.000Z';
const CASE = 'c-AbCdEfGhIjKlMnOpQrStUv';
const alertIn = (state: AlertState, over: Partial<StoredAlert> = {}): StoredAlert => ({
  alertId: '6f1c2a4e-8d0b-4c1a-9e2f-3b4c5d6e7f80',
  childId: 'n-abcdefghijklmnopqrstuv',
  comuna: '13101',
  raisedInComuna: '13101',
  riskFactor: 'situacion_de_calle',
  description: 'Niño visto pernoctando en la plaza',
  urgent: true,
  receivedAt: '2026-11-30T10:00:00.000Z',
  reportedBy: { subject: 'sect-1', role: 'sectorialista', institution: 'CESFAM' },
  state,
  version: 3,
  ...over,
});
const actor = (role: Role) => ({ subject: `u-${role}`, role });
const move = (alert: StoredAlert, action: AlertAction, role: Role, openCases: string[] = [CASE]) =>
  transitionAlert(alert, { action, reason: 'motivo de prueba' }, actor(role), AT, openCases);

describe('the alert workflow', () => {
  for (const action of ALERT_ACTIONS) {
    const def = ALERT_TRANSITIONS[action];
    for (const from of def.from) {
      for (const role of def.roles) {
        it(`${role} takes ${action} from "${from}" to "${def.to}", recorded with who, when and why`, () => {
          const moved = move(alertIn(from), action, role);
          expect(moved.state).toBe(def.to);
          expect(moved.history?.at(-1)).toMatchObject({
            action,
            from,
            to: def.to,
            by: { subject: `u-${role}`, role },
            at: AT,
            reason: 'motivo de prueba',
          });
          expect(moved.acknowledgedAt).toBe(AT);
          expect(moved.closedAt).toBe(isOpen(def.to) ? undefined : AT);
        });
      }
    }
    for (const role of ROLES.filter((r) => !def.roles.includes(r))) {
      it(`refuses ${action} to ${role}`, () => {
        const error = thrownBy(AlertWorkflowError, () =>
          move(alertIn(def.from[0] as AlertState), action, role),
        );
        expect(error.problem).toBe('forbidden');
      });
    }
    for (const state of ALERT_STATES.filter((s) => !def.from.includes(s))) {
      it(`refuses ${action} from "${state}" and says what the state allows`, () => {
        const error = thrownBy(AlertWorkflowError, () => move(alertIn(state), action, 'coordinador'));
        expect(error.problem).toBe('not_allowed_from_state');
        expect(error.allowed).toEqual(alertActionsFor(alertIn(state), actor('coordinador')));
        expect(error.allowed).not.toContain(action);
      });
    }
  }

  it('gives only the managing roles any action, each within the alert:manage permission', () => {
    const managing = new Set(rolesAllowed('alert:manage'));
    for (const action of ALERT_ACTIONS) {
      for (const role of ALERT_TRANSITIONS[action].roles) expect(managing.has(role)).toBe(true);
    }
    for (const role of ['sectorialista', 'terapeuta_familiar', 'administrador_central'] as const) {
      for (const state of ALERT_STATES) expect(alertActionsFor(alertIn(state), actor(role))).toEqual([]);
    }
  });

  it('closes no alert twice: the closing states allow nothing', () => {
    for (const state of ALERT_STATES.filter((s) => !isOpen(s))) {
      expect(alertActionsFor(alertIn(state), actor('coordinador'))).toEqual([]);
    }
    // The nómina reads the same open states.
    expect([...OPEN_ALERT_STATES].sort()).toEqual(ALERT_STATES.filter(isOpen).sort());
  });

  it('links the case that handles the alert when it starts, and keeps the first acknowledgement', () => {
    const acknowledged = alertIn('en espera de atención', { acknowledgedAt: '2026-11-30T11:00:00.000Z' });
    const started = move(acknowledged, 'iniciar', 'gestor_casos');
    expect(started.caseId).toBe(CASE);
    expect(started.history?.at(-1)?.caseId).toBe(CASE);
    expect(started.acknowledgedAt).toBe('2026-11-30T11:00:00.000Z');
    // Back from monitoring, the alert keeps its case without naming it again.
    const resumed = move({ ...started, state: 'continúa en monitoreo' }, 'iniciar', 'coordinador', [CASE]);
    expect(resumed.caseId).toBe(CASE);
    expect(resumed.history?.at(-1)?.caseId).toBeUndefined();
  });

  it('needs an open case of the child to start, and the named one when there are several', () => {
    const none = thrownBy(AlertWorkflowError, () =>
      move(alertIn('sin gestionar'), 'iniciar', 'coordinador', []),
    );
    expect(none.problem).toBe('case_required');
    const two = ['c-0000000000000000000001', 'c-0000000000000000000002'];
    const which = thrownBy(AlertWorkflowError, () =>
      move(alertIn('sin gestionar'), 'iniciar', 'coordinador', two),
    );
    expect(which.problem).toBe('case_required');
    expect(which.message).toContain(two[1]);
    const named = transitionAlert(
      alertIn('sin gestionar'),
      { action: 'iniciar', reason: 'se aborda en el caso', caseId: two[1] },
      actor('coordinador'),
      AT,
      two,
    );
    expect(named.caseId).toBe(two[1]);
    const closed = thrownBy(AlertWorkflowError, () =>
      transitionAlert(
        alertIn('sin gestionar'),
        { action: 'iniciar', reason: 'se aborda en el caso', caseId: CASE },
        actor('coordinador'),
        AT,
        two,
      ),
    );
    expect(closed.problem).toBe('case_not_open');
  });

  it('gives a repeat report no life of its own', () => {
    const repeat = alertIn('sin gestionar', { repeatOf: '0f8d2c1e-5b7a-4c3d-9e2f-1a2b3c4d5e6f' });
    expect(alertActionsFor(repeat, actor('coordinador'))).toEqual([]);
    const error = thrownBy(AlertWorkflowError, () => move(repeat, 'tomar', 'coordinador'));
    expect(error.problem).toBe('is_repeat');
    expect(error.message).toContain('0f8d2c1e-5b7a-4c3d-9e2f-1a2b3c4d5e6f');
  });
});

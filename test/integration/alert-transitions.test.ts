/**
 * Every transition of the alert life cycle through the local system's HTTP API, taken by every role
 * the table allows, and one refused per role: the table in `alert-workflow.ts` drives the walks, so
 * a transition added to it is walked here too. Each alert is brought to the state the transition
 * starts from by the coordinador, moved by the role under test, then closed, so that the next walk
 * files a new alert rather than a repeat.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertAction, AlertState } from '../../functions/alerts/domain/alert';
import { isOpen } from '../../functions/alerts/domain/alert';
import { ALERT_TRANSITIONS } from '../../functions/alerts/domain/alert-workflow';
import type { Role } from '../../functions/shared/domain/access';
import { ROLES } from '../../functions/shared/domain/access';
import { checkDigit } from '../../functions/shared/domain/run';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';
import { apiClient } from './api-client';

let local: LocalSystem;
const SANTIAGO = '13101';
const api = apiClient(() => local, SANTIAGO);
const coordinador = { role: 'coordinador' };
const RUN = `${21_500_001}-${checkDigit(21_500_001)}`;
let caseId: string;

async function raise(): Promise<string> {
  const answer = await api(
    '/v1/alerts',
    { role: 'sectorialista', sub: 'sect-t' },
    {
      method: 'POST',
      body: {
        run: RUN,
        comuna: SANTIAGO,
        riskFactor: 'hacinamiento_o_conflicto_vecinal',
        description: 'Familia de ocho personas en una pieza',
        reporter: { institution: 'CESFAM Centro' },
      },
    },
  );
  expect(answer.status).toBe(202);
  await local.whenIdle();
  return answer.body.alertId as string;
}

/** Takes `action` on the alert as `role`, over its current version. */
async function take(alertId: string, role: string, action: AlertAction) {
  const read = await api(`/v1/alerts/${alertId}`, coordinador);
  // The sectorialista is the alert's reporter: it may read the alert, not move it.
  const sub = role === 'sectorialista' ? 'sect-t' : `demo-${role}`;
  return api(
    `/v1/alerts/${alertId}/transitions`,
    { role, sub },
    {
      method: 'POST',
      body: { action, reason: `paso ${action} de prueba`, ...(action === 'iniciar' ? { caseId } : {}) },
      ifMatch: read.etag,
    },
  );
}

/** The coordinador's way from `sin gestionar` to each open state. */
const PATH_TO: Readonly<Record<string, readonly AlertAction[]>> = {
  'sin gestionar': [],
  'en espera de atención': ['tomar'],
  'en ejecución': ['iniciar'],
  'continúa en monitoreo': ['iniciar', 'monitorear'],
};

/** A new alert in `state`. */
async function alertIn(state: AlertState): Promise<string> {
  const path = PATH_TO[state];
  if (!path) throw new Error(`no way to ${state}`);
  const alertId = await raise();
  for (const action of path) expect((await take(alertId, 'coordinador', action)).status).toBe(200);
  return alertId;
}

/** Closes the alert if it is open, freeing the child's place for the next walk. */
async function close(alertId: string): Promise<void> {
  const read = await api(`/v1/alerts/${alertId}`, coordinador);
  const state = read.body.state as AlertState;
  if (!isOpen(state)) return;
  const action: AlertAction =
    state === 'sin gestionar' || state === 'en espera de atención' ? 'no_corresponde' : 'cerrar_no_resuelta';
  expect((await take(alertId, 'coordinador', action)).status).toBe(200);
}

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'san-alert-moves-'));
  local = await startLocalSystem({ dataDir, port: 0, reset: true, retryDelaySeconds: 0 });
  // The child's case, which `iniciar` links: the first alert puts the child on the nómina.
  const first = await raise();
  const read = await api(`/v1/alerts/${first}`, coordinador);
  const intake = await api(`/v1/comunas/${SANTIAGO}/intake/${read.body.childId}`, coordinador, {
    method: 'POST',
    body: { decision: 'aceptar', origin: 'manual', note: 'ingresa por la alerta' },
  });
  expect(intake.status).toBe(201);
  caseId = intake.body.case.caseId as string;
  await close(first);
});
afterAll(async () => {
  await local?.stop();
});

const walks = Object.entries(ALERT_TRANSITIONS).flatMap(([action, t]) =>
  t.from.flatMap((from) => t.roles.map((role) => ({ action: action as AlertAction, from, to: t.to, role }))),
);

describe('every allowed transition, by every role allowed to take it', () => {
  it.each(walks)('$action from $from by $role → $to', async ({ action, from, to, role }) => {
    const alertId = await alertIn(from);
    const moved = await take(alertId, role, action);
    expect(moved.status).toBe(200);
    expect(moved.body.state).toBe(to);
    expect(moved.body.history.at(-1)).toMatchObject({ action, from, to, by: { role } });
    await close(alertId);
  });
});

/** For each role, an action it may not take from a state that allows the action to others. */
const refusals = ROLES.map((role: Role) => {
  const entry = Object.entries(ALERT_TRANSITIONS).find(([, t]) => !t.roles.includes(role));
  return entry
    ? { role, action: entry[0] as AlertAction, from: entry[1].from[0] as AlertState, status: 403 }
    : // A role that may take every action is refused one the state does not allow.
      { role, action: 'monitorear' as AlertAction, from: 'sin gestionar' as AlertState, status: 409 };
});

describe('a transition refused to each role', () => {
  it.each(refusals)(
    '$role may not $action from "$from" ($status)',
    async ({ role, action, from, status }) => {
      const alertId = await alertIn(from);
      const refused = await take(alertId, role, action);
      expect(refused.status).toBe(status);
      const after = await api(`/v1/alerts/${alertId}`, coordinador);
      expect(after.body.state).toBe(from);
      await close(alertId);
    },
  );
});

/**
 * The alert life cycle through the local system's HTTP API: alerts raised by a sectorialista, filed
 * by the consumer, listed per comuna by state, risk factor and age with paging, moved through their
 * states by the OLN roles allowed to (over the version read), linked to the child's case, and
 * projected onto the nómina entry; repeat reports follow the alert they repeat. Every answer is held
 * to docs/openapi.json.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDigit } from '../../functions/shared/domain/run';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';
import { apiClient } from './api-client';

let local: LocalSystem;
const SANTIAGO = '13101';

const runOf = (body: number): string => `${body}-${checkDigit(body)}`;

const api = apiClient(() => local, SANTIAGO);

const coordinador = { role: 'coordinador' };
const gestor = { role: 'gestor_casos' };
const sectorialista = { role: 'sectorialista', sub: 'sect-1' };

/** Raises an alert as the sectorialista and waits until the consumer has filed it. */
async function raise(run: string, riskFactor: string, urgent = false): Promise<string> {
  const answer = await api('/v1/alerts', sectorialista, {
    method: 'POST',
    body: {
      run,
      comuna: SANTIAGO,
      riskFactor,
      description: 'Situación observada en el establecimiento durante la semana',
      urgent,
      reporter: { institution: 'Liceo de prueba' },
    },
  });
  expect(answer.status).toBe(202);
  await local.whenIdle();
  return answer.body.alertId as string;
}

const move = (
  alertId: string,
  as: { role: string; comunas?: string },
  ifMatch: string,
  body: Record<string, unknown>,
) => api(`/v1/alerts/${alertId}/transitions`, as, { method: 'POST', body, ifMatch });

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'san-alert-life-'));
  local = await startLocalSystem({ dataDir, port: 0, reset: true, retryDelaySeconds: 0 });
});
afterAll(async () => {
  await local?.stop();
});

describe('the alert life cycle', () => {
  it('walks an urgent alert from sin gestionar to resuelta, linked to the case, and shows each step on the nómina', async () => {
    const alertId = await raise(runOf(21_000_001), 'situacion_de_calle', true);
    const read = await api(`/v1/alerts/${alertId}`, coordinador);
    expect(read.status).toBe(200);
    expect(read.etag).toBe('"1"');
    expect(read.body).toMatchObject({ state: 'sin gestionar', version: 1, history: [], caseId: null });
    expect(read.body.actions).toEqual(['tomar', 'iniciar', 'no_corresponde']);
    const childId = read.body.childId as string;
    const entry = async () =>
      (await api(`/v1/comunas/${SANTIAGO}/roster/${childId}`, coordinador)).body.alerts as {
        alertId: string;
        state: string;
      }[];
    expect(await entry()).toMatchObject([{ alertId, state: 'sin gestionar' }]);

    // Over the version read only; without one, or over another, nothing is written.
    const without = await api(`/v1/alerts/${alertId}/transitions`, coordinador, {
      method: 'POST',
      body: { action: 'tomar', reason: 'revisada por la coordinación' },
    });
    expect(without.status).toBe(428);
    const stale = await move(alertId, coordinador, '"7"', { action: 'tomar', reason: 'revisada' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.currentVersion).toBe(1);
    const noReason = await move(alertId, coordinador, '"1"', { action: 'tomar' });
    expect(noReason.status).toBe(400);

    // Roles: a therapist and the reporter may not manage it; a community worker may not close it.
    expect(
      (await move(alertId, { role: 'terapeuta_familiar' }, '"1"', { action: 'tomar', reason: 'vista' }))
        .status,
    ).toBe(403);
    expect((await move(alertId, sectorialista, '"1"', { action: 'tomar', reason: 'vista' })).status).toBe(
      403,
    );
    const community = await move(alertId, { role: 'gestor_comunitario' }, '"1"', {
      action: 'no_corresponde',
      reason: 'no es de la OLN',
    });
    expect(community.status).toBe(403);
    expect(community.body.error.code).toBe('forbidden');
    // Another comuna's coordinator learns nothing of it.
    expect(
      (
        await move(alertId, { role: 'coordinador', comunas: '13110' }, '"1"', {
          action: 'tomar',
          reason: 'vista',
        })
      ).status,
    ).toBe(404);

    const taken = await move(alertId, coordinador, '"1"', {
      action: 'tomar',
      reason: 'revisada por la coordinación',
    });
    expect(taken.status).toBe(200);
    expect(taken.etag).toBe('"2"');
    expect(taken.body).toMatchObject({ state: 'en espera de atención', version: 2 });
    expect(taken.body.acknowledgedAt).toEqual(taken.body.history[0].at);
    expect(taken.body.history).toMatchObject([
      { action: 'tomar', from: 'sin gestionar', to: 'en espera de atención', by: { role: 'coordinador' } },
    ]);
    expect(await entry()).toMatchObject([{ alertId, state: 'en espera de atención' }]);

    const wrong = await move(alertId, coordinador, '"2"', { action: 'monitorear', reason: 'en seguimiento' });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.code).toBe('transition_not_allowed');
    expect(wrong.body.error.allowed).toEqual(['iniciar', 'no_corresponde']);

    // Starting needs the child's case.
    const noCase = await move(alertId, gestor, '"2"', {
      action: 'iniciar',
      reason: 'se visita a la familia',
    });
    expect(noCase.status).toBe(422);
    expect(noCase.body.error.code).toBe('case_required');
    const intake = await api(`/v1/comunas/${SANTIAGO}/intake/${childId}`, coordinador, {
      method: 'POST',
      body: { decision: 'aceptar', origin: 'manual', note: 'ingresa por la alerta urgente' },
    });
    expect(intake.status).toBe(201);
    const caseId = intake.body.case.caseId as string;
    const started = await move(alertId, gestor, '"2"', {
      action: 'iniciar',
      reason: 'se visita a la familia',
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ state: 'en ejecución', caseId });

    const monitored = await move(alertId, gestor, '"3"', {
      action: 'monitorear',
      reason: 'la familia acepta apoyo',
    });
    expect(monitored.body.state).toBe('continúa en monitoreo');
    const resolved = await move(alertId, gestor, '"4"', {
      action: 'resolver',
      reason: 'el niño vuelve a su hogar',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ state: 'resuelta', actions: [], version: 5 });
    expect(resolved.body.closedAt).toEqual(resolved.body.history[3].at);
    expect(resolved.body.history.map((h: { action: string }) => h.action)).toEqual([
      'tomar',
      'iniciar',
      'monitorear',
      'resolver',
    ]);
    expect(await entry()).toMatchObject([{ alertId, state: 'resuelta' }]);
    // A closed alert no longer puts the child in the alert tier at the top of the nómina.
    const page = await api(`/v1/comunas/${SANTIAGO}/roster?limit=5`, coordinador);
    expect(page.body.entries.map((e: { childId: string }) => e.childId)).not.toContain(childId);

    const after = await move(alertId, coordinador, '"5"', {
      action: 'cerrar_no_resuelta',
      reason: 'otra vez',
    });
    expect(after.status).toBe(409);
    expect(after.body.error.allowed).toEqual([]);
  });

  it('gives a repeat report the state of the alert it repeats and no actions of its own', async () => {
    const run = runOf(21_000_002);
    const first = await raise(run, 'negligencia_o_violencia');
    const repeat = await raise(run, 'negligencia_o_violencia');
    const repeatView = await api(`/v1/alerts/${repeat}`, coordinador);
    expect(repeatView.body).toMatchObject({ repeatOf: first, actions: [] });
    const taken = await move(first, coordinador, '"1"', {
      action: 'tomar',
      reason: 'revisada por la coordinación',
    });
    expect(taken.status).toBe(200);
    expect((await api(`/v1/alerts/${repeat}`, coordinador)).body.state).toBe('en espera de atención');
    const refused = await move(repeat, coordinador, '"1"', { action: 'tomar', reason: 'revisada' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('alert_is_repeat');
    const closed = await move(first, coordinador, '"2"', {
      action: 'no_corresponde',
      reason: 'ya atendido por OPD',
    });
    expect(closed.body).toMatchObject({ state: 'no corresponde' });
    // Closed, it no longer holds the child's open place for that risk factor: a new report is an alert of its own.
    const fresh = await raise(run, 'negligencia_o_violencia');
    expect((await api(`/v1/alerts/${fresh}`, coordinador)).body).toMatchObject({
      repeatOf: null,
      state: 'sin gestionar',
    });
    const later = await raise(run, 'negligencia_o_violencia');
    expect((await api(`/v1/alerts/${later}`, coordinador)).body.repeatOf).toBe(fresh);
  });

  it("lists a comuna's alerts by state, risk factor and age, page by page, to its roles only", async () => {
    const raised: string[] = [];
    for (let n = 0; n < 7; n++) {
      raised.push(
        await raise(
          runOf(21_000_100 + n),
          n % 2 === 0 ? 'embarazo_adolescente' : 'quiebre_familiar',
          n === 3,
        ),
      );
    }
    const list = (query: string, as: { role: string; comunas?: string } = coordinador) =>
      api(`/v1/comunas/${SANTIAGO}/alerts${query}`, as);

    // Every page, every alert once, oldest first.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.alerts.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.alerts.map((a: { alertId: string }) => a.alertId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of raised) expect(seen).toContain(id);
    // The two repeat reports of the earlier test are listed only when asked for.
    const withRepeats = await list('?limit=200&includeRepeats=true');
    const repeats = withRepeats.body.alerts.filter((a: { repeatOf: string | null }) => a.repeatOf !== null);
    expect(repeats).toHaveLength(2);
    expect(withRepeats.body.alerts.length).toBe(seen.length + repeats.length);

    const pregnancy = await list('?riskFactor=embarazo_adolescente&limit=200');
    expect(pregnancy.body.alerts.map((a: { alertId: string }) => a.alertId)).toEqual(
      raised.filter((_, n) => n % 2 === 0),
    );
    const urgent = await list('?urgent=true&open=true&limit=200');
    expect(urgent.body.alerts.map((a: { alertId: string }) => a.alertId)).toEqual([raised[3]]);
    await move(raised[0] as string, coordinador, '"1"', {
      action: 'tomar',
      reason: 'revisada por la coordinación',
    });
    const waiting = await list(`?state=${encodeURIComponent('en espera de atención')}&limit=200`);
    expect(waiting.body.alerts.map((a: { alertId: string }) => a.alertId)).toEqual([raised[0]]);
    const unhandled = await list(
      `?state=${encodeURIComponent('sin gestionar')}&riskFactor=embarazo_adolescente`,
    );
    expect(unhandled.body.alerts.map((a: { alertId: string }) => a.alertId)).toEqual(
      raised.filter((_, n) => n % 2 === 0 && n > 0),
    );
    const open = await list('?open=true&limit=200');
    expect(
      open.body.alerts.every((a: { state: string }) => !['resuelta', 'no corresponde'].includes(a.state)),
    ).toBe(true);
    // By age: all were received today.
    expect((await list('?minAgeDays=1')).body.alerts).toEqual([]);
    expect((await list('?maxAgeDays=1&limit=200')).body.alerts.length).toBe(seen.length);

    // Bad filters and cursors are named; another comuna's roles are refused.
    const badAge = await list('?minAgeDays=5&maxAgeDays=2');
    expect(badAge.status).toBe(400);
    expect(badAge.body.error.details[0].path).toBe('query.minAgeDays');
    const first = await list('?limit=2');
    const otherListing = await list(`?limit=2&riskFactor=quiebre_familiar&cursor=${first.body.nextCursor}`);
    expect(otherListing.status).toBe(400);
    expect(otherListing.body.error.details[0].path).toBe('query.cursor');
    expect((await list('?cursor=not-a-cursor')).status).toBe(400);
    expect((await list('?state=abierta')).status).toBe(400);
    expect((await list('', { role: 'coordinador', comunas: '13110' })).status).toBe(403);
    expect((await list('', { role: 'sectorialista' })).status).toBe(403);
    // A regional coordinator may take notice of an unhandled alert, and do nothing else to it.
    const regional = await list(`?state=${encodeURIComponent('sin gestionar')}&limit=1`, {
      role: 'coordinador_regional',
      comunas: '13101,13110',
    });
    expect(regional.status).toBe(200);
    expect(regional.body.alerts[0].actions).toEqual(['tomar']);
  });
});

describe('urgency that reaches a person', () => {
  it("notifies an urgent alert to the comuna's coordinador through the topic and escalates it once when no one acts", async () => {
    const alertId = await raise(runOf(21_000_200), 'trabajo_infantil_o_explotacion', true);
    const acted = await raise(runOf(21_000_201), 'trabajo_infantil_o_explotacion', true);
    const calm = await raise(runOf(21_000_202), 'trabajo_infantil_o_explotacion', false);

    // Published to the topic (what reaches a phone in the cloud), once per urgent alert.
    const delivered = () =>
      local
        .delivered('notifications')
        .map((d) => ({ ...d, notice: JSON.parse(d.body) as { alertId: string; kind: string } }));
    const urgentNotices = delivered().filter((d) => d.notice.kind === 'alerta_urgente');
    expect(urgentNotices.filter((d) => d.notice.alertId === alertId)).toHaveLength(1);
    expect(urgentNotices.some((d) => d.notice.alertId === calm)).toBe(false);
    expect(urgentNotices.find((d) => d.notice.alertId === alertId)?.attributes).toEqual({
      comuna: SANTIAGO,
      region: '13',
      audience: 'coordinador',
      kind: 'alerta_urgente',
    });

    // The same notices, listed to the coordinador; the regional coordinator is not its audience.
    const mine = await api(`/v1/comunas/${SANTIAGO}/notifications`, coordinador);
    expect(mine.status).toBe(200);
    expect(mine.body.notifications.map((n: { alertId: string }) => n.alertId)).toEqual(
      expect.arrayContaining([alertId, acted]),
    );
    expect(mine.body.notifications[0].text).toContain('Alerta urgente en Santiago (13101)');
    const regional = { role: 'coordinador_regional', comunas: '13101,13110' };
    expect((await api(`/v1/comunas/${SANTIAGO}/notifications`, regional)).body.notifications).toEqual([]);
    expect((await api(`/v1/comunas/${SANTIAGO}/notifications`, gestor)).status).toBe(403);
    expect(
      (await api(`/v1/comunas/${SANTIAGO}/notifications`, { role: 'coordinador', comunas: '13110' })).status,
    ).toBe(403);

    // One of them is acted on in time; a day later the other escalates, once.
    const read = await api(`/v1/alerts/${acted}`, coordinador);
    expect(
      (await move(acted, coordinador, read.etag, { action: 'tomar', reason: 'revisada a tiempo' })).status,
    ).toBe(200);
    expect(await local.runSchedule('alertsEscalation', new Date(Date.now() + 23 * 3_600_000))).toEqual({
      escalated: [],
    });
    const later = new Date(Date.now() + 25 * 3_600_000);
    const first = (await local.runSchedule('alertsEscalation', later)) as { escalated: string[] };
    expect(first.escalated).toContain(alertId);
    expect(first.escalated).not.toContain(acted);
    expect(await local.runSchedule('alertsEscalation', later)).toEqual({ escalated: [] });
    await local.whenIdle();
    const escalations = delivered().filter(
      (d) => d.notice.kind === 'escalamiento' && d.notice.alertId === alertId,
    );
    expect(escalations).toHaveLength(1);
    expect(escalations[0]?.attributes.audience).toBe('coordinador_regional');
    const regionalList = await api(`/v1/comunas/${SANTIAGO}/notifications`, regional);
    expect(
      regionalList.body.notifications.map((n: { alertId: string; kind: string }) => [n.kind, n.alertId]),
    ).toContainEqual(['escalamiento', alertId]);
    const central = await api(`/v1/comunas/${SANTIAGO}/notifications?limit=200`, {
      role: 'administrador_central',
      comunas: '*',
    });
    const kinds = new Set(central.body.notifications.map((n: { kind: string }) => n.kind));
    expect(kinds).toEqual(new Set(['alerta_urgente', 'escalamiento']));

    // The escalation is a change of the alert: it shows, and a change over the version before it is refused.
    const escalated = await api(`/v1/alerts/${alertId}`, coordinador);
    expect(escalated.etag).toBe('"2"');
    expect(
      (await move(alertId, coordinador, '"1"', { action: 'tomar', reason: 'revisada tarde' })).status,
    ).toBe(412);
    expect(
      (await move(alertId, coordinador, '"2"', { action: 'tomar', reason: 'revisada tarde' })).status,
    ).toBe(200);
  });
});

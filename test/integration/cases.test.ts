/**
 * Case management through the local system's HTTP API: a case from its nómina entry to egreso with
 * both NCFAS, a PAF, sessions, a mesa de casos agreement and a referral; the caps and the waiting
 * list under parallel assignments; the role × comuna matrix. The roster is written through the
 * roster's own store, as scoring writes it; every answer is held to docs/openapi.json.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRosterStore } from '../../functions/roster/adapters/dynamo-roster-store';
import type { ScoreUpdate } from '../../functions/roster/domain/roster';
import { ROLES } from '../../functions/shared/domain/access';
import { signToken } from '../../local/auth';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';
import { apiClient } from './api-client';

let local: LocalSystem;
const SANTIAGO = '13101';
const FLORIDA = '13110';
const DAY = 86_400_000;

const id = (n: number) => `n-${String(n).padStart(22, '0')}`;
const facts = {
  ageYears: 11,
  rsh40: true,
  adultDeprivedOfLiberty: true,
  offender12m: false,
  schoolDisengaged: true,
  drugTreatment12m: false,
  mentalHealth12m: false,
};
const update = (n: number): ScoreUpdate => ({
  childId: id(n),
  probability: Math.round((0.9 - (n % 200) / 1000) * 1e6) / 1e6,
  ventile: Math.max(1, 20 - Math.floor((n % 200) / 10)),
  reasons: [],
  family: `h-${Math.floor(n / 2)}`,
  facts,
});

/** Writes a comuna's roster as scoring does: a run of `children`, its head, made current. */
async function scoreRoster(
  store: DynamoRosterStore,
  comuna: string,
  children: readonly ScoreUpdate[],
  head: readonly string[],
  runId: string,
  scoredAt: string,
): Promise<void> {
  const run = { comuna, cut: '2026-10', runId, modelVersion: 'm-test', scoredAt };
  await store.writeScores(run, children);
  await store.markHead(run, head);
  await store.completeRun({ ...run, scored: children.length, inputs: runId });
  await store.removeStale(run);
}

const _token = (role: string, comunas: string, sub = `demo-${role}`) =>
  `Bearer ${signToken(local.jwtKey, { sub, 'custom:role': role, 'custom:comunas': comunas })}`;

const api = apiClient(() => local, SANTIAGO);

const coordinador = { role: 'coordinador' };
const gestor = { role: 'gestor_casos' };
const terapeuta = { role: 'terapeuta_familiar' };
const casePath = (caseId: string, rest = '') => `/v1/comunas/${SANTIAGO}/cases/${caseId}${rest}`;

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'san-cases-'));
  local = await startLocalSystem({ dataDir, port: 0, reset: true, retryDelaySeconds: 0 });
  const store = new DynamoRosterStore(
    DynamoDBDocumentClient.from(local.clients.dynamodb),
    local.names.tables.roster,
  );
  const children = Array.from({ length: 150 }, (_, n) => update(n));
  const now = Date.now();
  // A month ago, child 0 alone was in the head; now the first 100 are. Child 0 keeps its date.
  await scoreRoster(store, SANTIAGO, children, [id(0)], 'run-1', new Date(now - 30 * DAY).toISOString());
  await scoreRoster(
    store,
    SANTIAGO,
    children,
    children.slice(0, 100).map((c) => c.childId),
    'run-2',
    new Date(now - DAY).toISOString(),
  );
  const florida = Array.from({ length: 10 }, (_, n) => update(500 + n));
  await scoreRoster(
    store,
    FLORIDA,
    florida,
    florida.map((c) => c.childId),
    'run-f',
    new Date(now - DAY).toISOString(),
  );
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

const ncfas = (score: number) => ({
  entorno: score,
  capacidades_parentales: score,
  interacciones_familiares: score,
  seguridad_familiar: score,
  bienestar_nino: score,
  vida_social_comunitaria: score,
  autosuficiencia: 'no_aplica',
  salud_familiar: score,
  ambivalencia_cuidador_nino: 'sin_informacion',
  preparacion_reunificacion: 'no_aplica',
});

describe('intake from the nómina', () => {
  it('lists the nómina with deadlines, refuses a discard past 20 days, and records each decision against the score', async () => {
    const queue = await api(`/v1/comunas/${SANTIAGO}/intake`, coordinador);
    expect(queue.status).toBe(200);
    expect(queue.body.entries).toHaveLength(100);
    const overdue = await api(`/v1/comunas/${SANTIAGO}/intake?status=vencida`, coordinador);
    expect(overdue.body.entries.map((e: { childId: string }) => e.childId)).toEqual([id(0)]);

    const late = await api(`/v1/comunas/${SANTIAGO}/intake/${id(0)}`, coordinador, {
      method: 'POST',
      body: { decision: 'descartar', reason: 'no_corresponde', note: 'ya atendido' },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('discard_window_closed');

    const discard = await api(`/v1/comunas/${SANTIAGO}/intake/${id(99)}`, coordinador, {
      method: 'POST',
      body: { decision: 'descartar', reason: 'familia_no_ubicable', note: 'tres visitas sin respuesta' },
    });
    expect(discard.status).toBe(201);
    expect(discard.body.decision).toMatchObject({ kind: 'descartar', ventile: 11, origin: 'predictivo' });
    const again = await api(`/v1/comunas/${SANTIAGO}/intake/${id(99)}`, coordinador, {
      method: 'POST',
      body: { decision: 'aceptar' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_decided');

    // Outside the head: only as a manual or expert entry, with a note.
    const outside = await api(`/v1/comunas/${SANTIAGO}/intake/${id(120)}`, coordinador, {
      method: 'POST',
      body: { decision: 'aceptar' },
    });
    expect(outside.status).toBe(422);
    const expert = await api(`/v1/comunas/${SANTIAGO}/intake/${id(120)}`, coordinador, {
      method: 'POST',
      body: { decision: 'aceptar', origin: 'experto', note: 'derivado por la mesa de casos' },
    });
    expect(expert.status).toBe(201);
    expect(expert.body.case.state).toBe('pre_diagnostico');

    const gestorTries = await api(`/v1/comunas/${SANTIAGO}/intake/${id(98)}`, gestor, {
      method: 'POST',
      body: { decision: 'aceptar' },
    });
    expect(gestorTries.status).toBe(403);

    const rates = await api(`/v1/comunas/${SANTIAGO}/intake-rates`, {
      role: 'coordinador_regional',
      comunas: '13101,13110',
    });
    expect(rates.body).toMatchObject({ decisions: 2, discarded: 1, overrides: 2, overdue: 1 });
  });
});

describe('a case from the nómina to egreso', () => {
  it('runs the whole workflow, with its preconditions, limits and optimistic concurrency', async () => {
    const opened = await api(`/v1/comunas/${SANTIAGO}/intake/${id(1)}`, coordinador, {
      method: 'POST',
      body: { decision: 'aceptar' },
    });
    expect(opened.status).toBe(201);
    const caseId = opened.body.case.caseId as string;
    let etag = opened.etag;
    expect(etag).toBe('"1"');
    const move = async (as: { role: string }, action: string, reason?: string) => {
      const res = await api(casePath(caseId, '/transitions'), as, {
        method: 'POST',
        body: { action, ...(reason ? { reason } : {}) },
        ifMatch: etag,
      });
      if (res.etag) etag = res.etag;
      return res;
    };
    const put = async (as: { role: string }, rest: string, method: string, body: unknown) => {
      const res = await api(casePath(caseId, rest), as, { method, body, ifMatch: etag });
      if (res.status === 200) etag = res.etag;
      return res;
    };

    // A gestor who is not assigned sees the summary only and may not move it.
    expect((await api(casePath(caseId), gestor)).body.view).toBe('resumen');
    expect((await move(gestor, 'iniciar_diagnostico')).status).toBe(403);

    expect(
      (await put(coordinador, '/assignments', 'POST', { role: 'gestor_casos', worker: 'demo-gestor_casos' }))
        .status,
    ).toBe(200);
    expect((await api(casePath(caseId), gestor)).body.view).toBe('completa');

    const noConsent = await move(gestor, 'iniciar_diagnostico');
    expect(noConsent.status).toBe(409);
    expect(noConsent.body.error).toMatchObject({ code: 'precondition_failed', missing: ['consentimiento'] });

    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const consent = await put(gestor, '/consents', 'POST', {
      givenByRelation: 'madre',
      givenOn: yesterday,
      purposes: ['intervencion', 'mesa_de_casos', 'derivacion'],
      signedDocumentRef: 'OLN-2026-0042',
    });
    expect(consent.status).toBe(200);

    // A write over a version that is no longer current, or without one, is refused.
    const stale = await api(casePath(caseId, '/transitions'), gestor, {
      method: 'POST',
      body: { action: 'iniciar_diagnostico' },
      ifMatch: '"1"',
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.currentVersion).toBe(Number(etag.replace(/"/g, '')));
    expect(
      (
        await api(casePath(caseId, '/transitions'), gestor, {
          method: 'POST',
          body: { action: 'iniciar_diagnostico' },
        })
      ).status,
    ).toBe(428);

    expect((await move(gestor, 'iniciar_diagnostico')).status).toBe(200);
    const skip = await move(gestor, 'egresar', 'fin');
    expect(skip.status).toBe(409);
    expect(skip.body.error).toMatchObject({ code: 'transition_not_allowed' });
    expect(skip.body.error.allowed).toEqual(expect.arrayContaining(['elaborar_paf', 'rechazar_por_gestor']));

    expect((await move(gestor, 'elaborar_paf')).body.error.missing).toEqual(['ncfas_ingreso']);
    expect(
      (await put(gestor, '/ncfas/ingreso', 'PUT', { assessedOn: today, ratings: ncfas(-2) })).status,
    ).toBe(200);
    const agreement = await put(gestor, '/agreements', 'POST', {
      agreement: 'Matrícula en liceo cercano',
      institution: 'educacion',
      dueOn: yesterday,
      sessionOn: yesterday,
    });
    expect(agreement.status).toBe(200);
    // An open agreement past its due date shows on the case, on the nómina entry and in the comuna's list.
    expect(agreement.body.agreementRows[0]).toMatchObject({ overdue: true });
    const entry = await api(`/v1/comunas/${SANTIAGO}/roster/${id(1)}`, coordinador);
    expect(entry.body.case).toEqual({ caseId, state: 'diagnostico', overdueAgreements: true });
    const overdueList = await api(`/v1/comunas/${SANTIAGO}/agreements/overdue`, {
      role: 'coordinador_regional',
      comunas: SANTIAGO,
    });
    expect(overdueList.body.agreements).toEqual([expect.objectContaining({ caseId, daysOverdue: 1 })]);
    expect((await move(gestor, 'elaborar_paf')).status).toBe(200);
    expect(
      (
        await put(gestor, '/paf', 'PUT', {
          goals: [
            {
              domain: 'seguridad_familiar',
              goal: 'Plan de seguridad acordado con la familia',
              achievedPercent: 70,
              actions: [{ description: 'Visita semanal', responsible: 'gestor', dueOn: today }],
            },
          ],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await put(coordinador, '/assignments', 'POST', {
          role: 'terapeuta_familiar',
          worker: 'demo-terapeuta_familiar',
        })
      ).status,
    ).toBe(200);
    expect((await move(terapeuta, 'ejecutar_paf')).status).toBe(200);
    for (let i = 0; i < 8; i++) {
      expect(
        (await put(terapeuta, '/sessions', 'POST', { heldOn: today, kind: 'individual', attended: i !== 3 }))
          .status,
      ).toBe(200);
    }
    const ninth = await put(terapeuta, '/sessions', 'POST', {
      heldOn: today,
      kind: 'individual',
      attended: true,
    });
    expect(ninth.status).toBe(409);
    expect(ninth.body.error.code).toBe('session_limit');

    const detail = await api(casePath(caseId), gestor);
    expect(detail.body.suggestedPrograms.map((s: { program: string }) => s.program)).toEqual(
      expect.arrayContaining(['abriendo_caminos', 'familias', 'pde_24_horas']),
    );
    const referral = await put(gestor, '/referrals', 'POST', {
      program: 'abriendo_caminos',
      withPersonalData: true,
    });
    expect(referral.status).toBe(200);
    const referralId = referral.body.referralRows[0].referralId as string;
    expect((await put(gestor, `/referrals/${referralId}`, 'PATCH', { state: 'atendida' })).status).toBe(409);
    expect(
      (await put(gestor, `/referrals/${referralId}`, 'PATCH', { state: 'aceptada', note: 'cupo asignado' }))
        .status,
    ).toBe(200);
    const agreementId = agreement.body.agreementRows[0].agreementId as string;
    expect((await put(gestor, `/agreements/${agreementId}`, 'PATCH', { status: 'cumplido' })).status).toBe(
      200,
    );

    expect((await move(terapeuta, 'cerrar_paf')).status).toBe(422);
    expect((await move(terapeuta, 'cerrar_paf', 'metas alcanzadas')).status).toBe(200);
    expect((await move(gestor, 'iniciar_seguimiento')).body.error.missing).toEqual(['ncfas_cierre']);
    expect((await put(gestor, '/ncfas/cierre', 'PUT', { assessedOn: today, ratings: ncfas(1) })).status).toBe(
      200,
    );
    expect((await move(gestor, 'iniciar_seguimiento')).status).toBe(200);
    const out = await move(gestor, 'egresar', 'plan cumplido');
    expect(out.status).toBe(200);
    expect(out.body.case).toMatchObject({ state: 'egreso', view: 'completa' });
    expect(out.body.case.ncfasOutcome).toMatchObject({ compared: 7, improved: 7, meanChange: 3 });
    expect(out.body.case.paf.achievement).toBeCloseTo(0.7);
    expect(out.body.freed.map((f: { role: string }) => f.role).sort()).toEqual([
      'gestor_casos',
      'terapeuta_familiar',
    ]);
    expect(out.body.case.history.map((h: { action: string }) => h.action)).toEqual([
      'abrir',
      'asignar',
      'iniciar_diagnostico',
      'elaborar_paf',
      'asignar',
      'ejecutar_paf',
      'cerrar_paf',
      'iniciar_seguimiento',
      'egresar',
    ]);
    // The comuna's outcomes: one leaver, its PAF at 70 %, its NCFAS better; re-entry not yet knowable.
    const outcomes = await api(`/v1/comunas/${SANTIAGO}/outcomes`, coordinador);
    expect(outcomes.body.all).toMatchObject({
      leavers: 1,
      pafAtLeast50: { count: 1, of: 1 },
      ncfasImproved: { count: 1, of: 1 },
      ncfasMeanChange: 3,
      reEntryPending: 1,
    });
    expect(outcomes.body.programs).toEqual([
      expect.objectContaining({ program: 'abriendo_caminos', leavers: 1 }),
    ]);
    const closed = await move(gestor, 'rechazar_por_familia', 'x');
    expect(closed.status).toBe(409);
    expect(closed.body.error).toMatchObject({ code: 'transition_not_allowed', allowed: [] });
  });
});

describe('caps and the waiting list under parallel assignments', () => {
  it('assigns exactly 40 of 60 cases sent at once to one gestor, lists the rest, and offers a freed place first', async () => {
    const worker = 'gestor-13101-01';
    const cases: { caseId: string; etag: string }[] = [];
    for (let n = 20; n < 80; n++) {
      const res = await api(`/v1/comunas/${SANTIAGO}/intake/${id(n)}`, coordinador, {
        method: 'POST',
        body: { decision: 'aceptar' },
      });
      expect(res.status).toBe(201);
      cases.push({ caseId: res.body.case.caseId, etag: res.etag });
    }
    const answers = await Promise.all(
      cases.map((c) =>
        api(casePath(c.caseId, '/assignments'), coordinador, {
          method: 'POST',
          body: { role: 'gestor_casos', worker },
          ifMatch: c.etag,
        }),
      ),
    );
    const assigned = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 409);
    expect(assigned).toHaveLength(40);
    expect(refused).toHaveLength(20);
    for (const r of refused)
      expect(['caseload_cap_reached', 'waiting_list_first']).toContain(r.body.error.code);
    expect(
      refused.some(
        (r) =>
          r.body.error.code === 'caseload_cap_reached' && r.body.error.cap === 40 && r.body.error.load === 40,
      ),
    ).toBe(true);

    const list = await api(`/v1/comunas/${SANTIAGO}/waiting-list`, coordinador);
    const waiting = list.body.lists.gestor_casos as { caseId: string; ventile: number; position: number }[];
    expect(waiting).toHaveLength(20);
    const ventiles = waiting.map((w) => w.ventile);
    expect(ventiles).toEqual([...ventiles].sort((a, b) => b - a));

    // Another gestor's free place still goes to the first case waiting.
    const second = waiting[1] as { caseId: string };
    const secondCase = await api(casePath(second.caseId), coordinador);
    const jump = await api(casePath(second.caseId, '/assignments'), coordinador, {
      method: 'POST',
      body: { role: 'gestor_casos', worker: 'gestor-13101-02' },
      ifMatch: secondCase.etag,
    });
    expect(jump.status).toBe(409);
    expect(jump.body.error).toMatchObject({ code: 'waiting_list_first', offeredTo: waiting[0]?.caseId });

    // A case of the full gestor ends: the place is offered to the first case waiting.
    const ending = assigned[0]?.body as { caseId: string };
    const endingCase = await api(casePath(ending.caseId), coordinador);
    const rejected = await api(casePath(ending.caseId, '/transitions'), coordinador, {
      method: 'POST',
      body: { action: 'rechazar_por_gestor', reason: 'ya atendido por protección especializada' },
      ifMatch: endingCase.etag,
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.freed).toEqual([{ role: 'gestor_casos', worker, offeredTo: waiting[0]?.caseId }]);
    const first = await api(casePath(waiting[0]?.caseId as string), coordinador);
    const taken = await api(casePath(first.body.caseId, '/assignments'), coordinador, {
      method: 'POST',
      body: { role: 'gestor_casos', worker },
      ifMatch: first.etag,
    });
    expect(taken.status).toBe(200);
    expect(taken.body.waiting).toEqual([]);
    // The gestor's open caseload, as a worklist: exactly the cap.
    const caseload = await api(
      `/v1/comunas/${SANTIAGO}/cases?assignedTo=${worker}&state=pre_diagnostico&limit=200`,
      coordinador,
    );
    expect(caseload.body.cases).toHaveLength(40);
    const mine = await api(`/v1/comunas/${SANTIAGO}/cases?assignedTo=me&limit=200`, {
      role: 'gestor_casos',
      sub: worker,
    });
    expect(mine.body.cases).toHaveLength(41);
  });
});

describe('the role × comuna matrix', () => {
  it('answers each role what it may see and do, in its comuna and in another', async () => {
    const opened = await api(
      `/v1/comunas/${FLORIDA}/intake/${id(501)}`,
      { role: 'coordinador', comunas: FLORIDA },
      {
        method: 'POST',
        body: { decision: 'aceptar' },
      },
    );
    expect(opened.status).toBe(201);
    const caseId = opened.body.case.caseId as string;
    // What each role gets for the Florida case, with a token for Florida and with one for Santiago.
    const expected: Record<string, { read: number | string; intake: number; move: number }> = {
      coordinador: { read: 'completa', intake: 200, move: 409 },
      gestor_casos: { read: 'resumen', intake: 403, move: 403 },
      terapeuta_familiar: { read: 'resumen', intake: 403, move: 403 },
      gestor_comunitario: { read: 'resumen', intake: 403, move: 403 },
      sectorialista: { read: 403, intake: 403, move: 403 },
      coordinador_regional: { read: 'resumen', intake: 200, move: 403 },
      administrador_central: { read: 'resumen', intake: 200, move: 403 },
    };
    for (const role of ROLES) {
      for (const comunas of [FLORIDA, SANTIAGO]) {
        const own = comunas === FLORIDA || role === 'administrador_central';
        const as = { role, comunas: role === 'administrador_central' ? '*' : comunas, sub: `${role}-matrix` };
        const want = expected[role] as { read: number | string; intake: number; move: number };
        const read = await api(`/v1/comunas/${FLORIDA}/cases/${caseId}`, as);
        if (own && typeof want.read === 'string')
          expect([role, comunas, read.body.view]).toEqual([role, comunas, want.read]);
        else expect([role, comunas, read.status]).toEqual([role, comunas, 403]);
        const intake = await api(`/v1/comunas/${FLORIDA}/intake`, as);
        expect([role, comunas, intake.status]).toEqual([role, comunas, own ? want.intake : 403]);
        const move = await api(`/v1/comunas/${FLORIDA}/cases/${caseId}/transitions`, as, {
          method: 'POST',
          body: { action: 'iniciar_diagnostico' },
          ifMatch: opened.etag,
        });
        // The coordinador of Florida reaches the workflow (no gestor yet: a precondition).
        expect([role, comunas, move.status]).toEqual([role, comunas, own ? want.move : 403]);
      }
    }
  });
});

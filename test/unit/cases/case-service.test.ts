import { describe, expect, it } from 'vitest';
import type { VersionedCase } from '../../../functions/cases/domain/case';
import {
  addReferral,
  addSession,
  CaseError,
  recordConsent,
  recordNcfas,
} from '../../../functions/cases/domain/case-operations';
import type { CaseDeps } from '../../../functions/cases/domain/case-service';
import {
  assign,
  changeCase,
  StaleVersionError,
  transitionCase,
  waitingList,
} from '../../../functions/cases/domain/case-service';
import type {
  CaseloadStore,
  CaseStore,
  ChildCase,
  IntakeStore,
} from '../../../functions/cases/domain/case-store';
import type { IntakeDecision } from '../../../functions/cases/domain/intake';
import { decide, intakeQueue } from '../../../functions/cases/domain/intake-service';
import { NCFAS_DOMAINS } from '../../../functions/cases/domain/ncfas';
import type { CaseProjection, RosterEntry, RosterPage } from '../../../functions/roster/domain/roster';
import type { OlnTeam } from '../../../functions/shared/domain/oln-teams';

const COMUNA = '13101';
const NOW = new Date('2026-12-07T12:00:00.000Z');
const DAY = 86_400_000;
const coordinador = { subject: 'coord', role: 'coordinador' as const };
const gestor = { subject: 'g-1', role: 'gestor_casos' as const };

const entry = (n: number, over: Partial<RosterEntry> = {}): RosterEntry => ({
  comuna: COMUNA,
  childId: `n-${n}`,
  origin: 'predictivo',
  provisional: false,
  probability: 0.5 - n / 100,
  ventile: 20 - (n % 5),
  family: `h-${Math.floor(n / 2)}`,
  headSince: new Date(NOW.getTime() - 2 * DAY).toISOString(),
  ...over,
});

/** The case feature's ports in memory, with the same conditions as the DynamoDB adapters. */
function memory(entries: RosterEntry[], team: Partial<OlnTeam> = {}) {
  const cases = new Map<string, VersionedCase>();
  const decisions = new Map<string, IntakeDecision>();
  const loads = new Map<string, Set<string>>();
  const projections = new Map<string, CaseProjection>();
  const caseStore: CaseStore = {
    get: async (id) => cases.get(id),
    create: async (record) => {
      if (cases.has(record.caseId)) return false;
      cases.set(record.caseId, { record, version: 1 });
      return true;
    },
    update: async (record, version) => {
      if (cases.get(record.caseId)?.version !== version) return false;
      cases.set(record.caseId, { record, version: version + 1 });
      return true;
    },
    listByComuna: async (comuna) => ({
      cases: [...cases.values()].filter((c) => c.record.comuna === comuna),
    }),
    casesOfChild: async (childId) =>
      [...cases.values()]
        .filter((c) => c.record.childId === childId)
        .map((c): ChildCase => ({ caseId: c.record.caseId, comuna: c.record.comuna, state: c.record.state })),
    waiting: async (comuna) =>
      [...cases.values()].filter((c) => c.record.comuna === comuna && c.record.waiting.length > 0),
  };
  const key = (w: { role: string; subject: string }) => `${w.role}#${w.subject}`;
  const caseloads: CaseloadStore = {
    claim: async (_comuna, worker, caseId, family, cap) => {
      const set = loads.get(key(worker)) ?? new Set<string>();
      const member = `${family}|${caseId}`;
      if (set.has(member)) return { claimed: true };
      const families = new Set([...set].map((m) => m.split('|')[0]));
      const room =
        worker.role === 'gestor_casos' ? set.size < cap : families.size < cap || families.has(family);
      if (!room) return { claimed: false, load: { cases: set.size, families: families.size } };
      set.add(member);
      loads.set(key(worker), set);
      return { claimed: true };
    },
    release: async (_comuna, worker, caseId, family) => {
      loads.get(key(worker))?.delete(`${family}|${caseId}`);
    },
    load: async (_comuna, worker) => {
      const set = loads.get(key(worker)) ?? new Set<string>();
      return { cases: set.size, families: new Set([...set].map((m) => m.split('|')[0])).size };
    },
  };
  const intake: IntakeStore = {
    record: async (d) => {
      const k = `${d.childId}#${d.enteredAt}`;
      if (decisions.has(k)) return false;
      decisions.set(k, d);
      return true;
    },
    get: async (_comuna, childId, enteredAt) => decisions.get(`${childId}#${enteredAt}`),
    all: async () => [...decisions.values()],
  };
  const deps: CaseDeps = {
    roster: {
      get: async (_comuna, childId) => entries.find((e) => e.childId === childId),
      page: async (): Promise<RosterPage> => ({ entries }),
      recordCase: async (_comuna, childId, projection) => {
        projections.set(childId, projection);
      },
    },
    cases: caseStore,
    caseloads,
    intake,
    team: () => ({
      caps: { gestorCases: 2, terapeutaFamilies: 1 },
      gestores: ['g-1', 'g-2'],
      terapeutas: ['t-1'],
      programPlaces: {},
      ...team,
    }),
    now: () => NOW,
  };
  return { deps, cases, projections, loads };
}

/** The error `run` rejects with (the test fails if it resolves). */
async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The error `run` throws (the test fails if it returns). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const accept = async (deps: CaseDeps, n: number) => {
  const out = await decide(deps, COMUNA, `n-${n}`, { decision: 'aceptar' }, coordinador);
  if (!out.case) throw new Error('no case');
  return out.case;
};

describe('intake', () => {
  it('lists the nómina with the overdue entries, and takes one decision per entry', async () => {
    const late = entry(9, { headSince: new Date(NOW.getTime() - 21 * DAY).toISOString() });
    const { deps } = memory([entry(1), late, entry(50, { headSince: undefined })]);
    const queue = await intakeQueue(deps, COMUNA);
    expect(queue.map((q) => [q.entry.childId, q.overdue])).toEqual([
      ['n-1', false],
      ['n-9', true],
    ]);
    const refused = await rejection(() =>
      decide(
        deps,
        COMUNA,
        'n-9',
        { decision: 'descartar', reason: 'no_corresponde', note: 'x' },
        coordinador,
      ),
    );
    expect(refused).toMatchObject({ code: 'discard_window_closed' });
    const first = await accept(deps, 1);
    const second = await rejection(() => decide(deps, COMUNA, 'n-1', { decision: 'aceptar' }, coordinador));
    expect(second).toMatchObject({ code: 'already_decided', extra: { caseId: first.record.caseId } });
  });

  it('enters a child outside the nómina only as manual or expert, with a note; never discards one', async () => {
    const { deps } = memory([entry(50, { headSince: undefined })]);
    expect(
      await rejection(() => decide(deps, COMUNA, 'n-50', { decision: 'aceptar' }, coordinador)),
    ).toMatchObject({
      code: 'origin_required',
    });
    expect(
      await rejection(() =>
        decide(deps, COMUNA, 'n-50', { decision: 'aceptar', origin: 'manual' }, coordinador),
      ),
    ).toMatchObject({ code: 'note_required' });
    expect(
      await rejection(() =>
        decide(
          deps,
          COMUNA,
          'n-50',
          { decision: 'descartar', reason: 'no_corresponde', note: 'x' },
          coordinador,
        ),
      ),
    ).toMatchObject({ code: 'not_in_nomina' });
    const out = await decide(
      deps,
      COMUNA,
      'n-50',
      { decision: 'aceptar', origin: 'experto', note: 'mesa de casos' },
      coordinador,
    );
    expect(out.decision).toMatchObject({ origin: 'experto', note: 'mesa de casos', ventile: 20 });
  });
});

describe('changing a case', () => {
  it('refuses a stale version and projects the state onto the nómina entry', async () => {
    const { deps, projections } = memory([entry(1)]);
    const c = await accept(deps, 1);
    expect(projections.get('n-1')).toMatchObject({ state: 'pre_diagnostico', version: 1 });
    const error = await rejection(() => changeCase(deps, COMUNA, c.record.caseId, 7, (r) => r));
    expect(error).toBeInstanceOf(StaleVersionError);
    expect((error as StaleVersionError).current).toBe(1);
    // A case of another comuna is not found, as one that does not exist.
    expect(await rejection(() => changeCase(deps, '13110', c.record.caseId, 1, (r) => r))).toMatchObject({
      problem: 'not_found',
    });
  });
});

describe('assignment under the caps', () => {
  it('holds a case over the cap on the waiting list, offers the freed place to the first, and gives places back', async () => {
    const { deps, loads } = memory([entry(1), entry(2), entry(3), entry(4)]);
    const [a, b, c, d] = [
      await accept(deps, 1),
      await accept(deps, 2),
      await accept(deps, 3),
      await accept(deps, 4),
    ];
    expect(
      (await assign(deps, COMUNA, a.record.caseId, 1, 'gestor_casos', 'g-1', coordinador)).assigned,
    ).toBe(true);
    expect(
      (await assign(deps, COMUNA, b.record.caseId, 1, 'gestor_casos', 'g-1', coordinador)).assigned,
    ).toBe(true);
    const held = await assign(deps, COMUNA, c.record.caseId, 1, 'gestor_casos', 'g-1', coordinador);
    expect(held).toMatchObject({ assigned: false, hold: { because: 'cap', cap: 2, load: 2 }, position: 1 });
    // Another gestor is free, but the waiting case comes first.
    const jumped = await assign(deps, COMUNA, d.record.caseId, 1, 'gestor_casos', 'g-2', coordinador);
    expect(jumped).toMatchObject({
      assigned: false,
      hold: { because: 'waiting_list', offeredTo: c.record.caseId },
    });
    expect((await waitingList(deps, COMUNA)).gestor_casos.map((w) => w.caseId)).toEqual(
      // Ventile first: n-3 (ventile 17) before n-4 (16).
      [c.record.caseId, d.record.caseId],
    );
    // The first waiting case takes the free gestor and leaves the list.
    const taken = await assign(deps, COMUNA, c.record.caseId, 2, 'gestor_casos', 'g-2', coordinador);
    expect(taken).toMatchObject({ assigned: true });
    expect(taken.case.record.waiting).toEqual([]);
    // A case that ends gives its place back and names the case it is offered to.
    const ended = await transitionCase(
      deps,
      COMUNA,
      a.record.caseId,
      2,
      'rechazar_por_gestor',
      'ya atendido',
      coordinador,
    );
    expect(ended.freed).toEqual([{ role: 'gestor_casos', worker: 'g-1', offeredTo: d.record.caseId }]);
    expect(loads.get('gestor_casos#g-1')?.size).toBe(1);
  });

  it('refuses a worker who is not on the team, and any role but the coordinador', async () => {
    const { deps } = memory([entry(1)]);
    const a = await accept(deps, 1);
    expect(
      await rejection(() => assign(deps, COMUNA, a.record.caseId, 1, 'gestor_casos', 'intruso', coordinador)),
    ).toMatchObject({ code: 'unknown_worker' });
    expect(
      await rejection(() => assign(deps, COMUNA, a.record.caseId, 1, 'gestor_casos', 'g-1', gestor)),
    ).toMatchObject({
      problem: 'forbidden',
    });
  });

  it('refuses to reassign a case to a full gestor, leaving it with its own and off the waiting list', async () => {
    const { deps } = memory([entry(1), entry(2), entry(3)]);
    const [a, b, c] = [await accept(deps, 1), await accept(deps, 2), await accept(deps, 3)];
    await assign(deps, COMUNA, a.record.caseId, 1, 'gestor_casos', 'g-1', coordinador);
    await assign(deps, COMUNA, b.record.caseId, 1, 'gestor_casos', 'g-1', coordinador);
    await assign(deps, COMUNA, c.record.caseId, 1, 'gestor_casos', 'g-2', coordinador);
    const refused = await rejection(() =>
      assign(deps, COMUNA, c.record.caseId, 2, 'gestor_casos', 'g-1', coordinador),
    );
    expect(refused).toMatchObject({ code: 'caseload_cap_reached', extra: { cap: 2, load: 2 } });
    const stored = await deps.cases.get(c.record.caseId);
    expect(stored?.record).toMatchObject({ gestor: 'g-2', waiting: [] });
  });

  it('moves a reassigned case between gestores without keeping the old place', async () => {
    const { deps, loads } = memory([entry(1)]);
    const a = await accept(deps, 1);
    await assign(deps, COMUNA, a.record.caseId, 1, 'gestor_casos', 'g-1', coordinador);
    await assign(deps, COMUNA, a.record.caseId, 2, 'gestor_casos', 'g-2', coordinador);
    expect(loads.get('gestor_casos#g-1')?.size).toBe(0);
    expect(loads.get('gestor_casos#g-2')?.size).toBe(1);
  });
});

describe('operations on a case', () => {
  it('keeps to the states, the assignment, the limits and the consents a practitioner expects', async () => {
    const { deps } = memory([entry(1)]);
    let c = (await accept(deps, 1)).record;
    // Not assigned: a gestor may not record the consent.
    expect(
      thrown(() =>
        recordConsent(
          c,
          {
            givenByRelation: 'madre',
            givenOn: '2026-12-01',
            purposes: ['intervencion'],
            signedDocumentRef: 'doc-1',
          },
          'consent-1',
          gestor,
          NOW.toISOString(),
        ),
      ),
    ).toMatchObject({ problem: 'forbidden' });
    c = { ...c, gestor: 'g-1' };
    c = recordConsent(
      c,
      {
        givenByRelation: 'madre',
        givenOn: '2026-12-01',
        purposes: ['intervencion'],
        signedDocumentRef: 'doc-1',
      },
      'consent-1',
      gestor,
      NOW.toISOString(),
    );
    // NCFAS at intake belongs to diagnóstico, not pre-diagnóstico.
    const ratings = Object.fromEntries(NCFAS_DOMAINS.map((d) => [d, -1])) as never;
    expect(
      thrown(() => recordNcfas(c, 'ingreso', ratings, '2026-12-02', gestor, '2026-12-07')),
    ).toMatchObject({
      code: 'not_allowed_in_state',
    });
    c = { ...c, state: 'ejecucion_paf', terapeuta: 't-1' };
    // A referral with personal data needs consent for referrals; without it, only the pseudonym goes.
    expect(
      thrown(() => addReferral(c, 'familias', true, null, 'derivacion-1', gestor, NOW.toISOString())),
    ).toMatchObject({ code: 'consent_required' });
    c = addReferral(c, 'familias', false, null, 'derivacion-1', gestor, NOW.toISOString());
    expect(
      thrown(() => addReferral(c, 'familias', false, null, 'derivacion-2', gestor, NOW.toISOString())),
    ).toMatchObject({ code: 'referral_open' });
    const terapeuta = { subject: 't-1', role: 'terapeuta_familiar' as const };
    for (let i = 0; i < 4; i++)
      c = addSession(c, { heldOn: '2026-12-05', kind: 'grupal', attended: true }, terapeuta, '2026-12-07');
    expect(
      thrown(() =>
        addSession(c, { heldOn: '2026-12-05', kind: 'grupal', attended: true }, terapeuta, '2026-12-07'),
      ),
    ).toBeInstanceOf(CaseError);
    expect(
      thrown(() =>
        addSession(c, { heldOn: '2026-12-09', kind: 'seguimiento', attended: true }, terapeuta, '2026-12-07'),
      ),
    ).toMatchObject({ code: 'date_in_future' });
    c = addSession(
      c,
      { heldOn: '2026-12-06', kind: 'seguimiento', attended: false },
      terapeuta,
      '2026-12-07',
    );
    expect(c.sessions).toHaveLength(5);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../../functions/alerts/domain/alert';
import type { IdentifyDeps } from '../../../functions/alerts/domain/identify-provisional';
import { identifyProvisionalChildren } from '../../../functions/alerts/domain/identify-provisional';
import { MergeRefusedError, mergeProvisionalChild } from '../../../functions/alerts/domain/merge-child';
import type { IdentityRecord } from '../../../functions/identity/domain/identity';
import type { MatchRecord } from '../../../functions/identity/domain/matching';
import type { AlertSummary, RosterPlacement } from '../../../functions/roster/domain/roster';

const P = 'n-provisionalprovisional';
const C = 'n-knownknownknownknownkn';
const NOW = '2026-12-01T12:00:00.000Z';

/** The stores in memory, with a switch that fails a chosen write once (a merge cut short). */
class World {
  alerts = new Map<string, StoredAlert>();
  open = new Map<string, string>();
  entries = new Map<
    string,
    { provisional: boolean; alerts: AlertSummary[]; repeats: Map<string, string[]> }
  >();
  records: IdentityRecord[] = [];
  index: MatchRecord[] = [];
  merged = new Map<string, string>();
  cases = new Set<string>();
  failNextUpdateOf: string | undefined;

  deps(): IdentifyDeps {
    return {
      alerts: {
        ofChild: async (childId) => [...this.alerts.values()].filter((a) => a.childId === childId),
        get: async (alertId) => this.alerts.get(alertId),
        update: async (alert, read) => {
          const stored = this.alerts.get(alert.alertId);
          if ((stored?.version ?? 1) !== read) return false;
          if (this.failNextUpdateOf === alert.alertId) {
            this.failNextUpdateOf = undefined;
            throw new Error('DynamoDB unavailable');
          }
          this.alerts.set(alert.alertId, { ...alert, version: read + 1 });
          return true;
        },
        claimOpen: async (alert) => {
          const key = `${alert.childId}#${alert.riskFactor}`;
          const held = this.open.get(key);
          if (held === undefined) this.open.set(key, alert.alertId);
          return held ?? alert.alertId;
        },
        releaseOpen: async (alert) => {
          const key = `${alert.childId}#${alert.riskFactor}`;
          if (this.open.get(key) === alert.alertId) this.open.delete(key);
        },
        awaitingIdentification: async () => [...this.alerts.values()].filter((a) => a.awaitingIdentity),
      },
      roster: {
        placementsOf: async (childId): Promise<RosterPlacement[]> =>
          [...this.entries.entries()]
            .filter(([key]) => key.endsWith(`#${childId}`))
            .map(([key, e]) => ({ comuna: key.split('#')[0] as string, provisional: e.provisional })),
        removeProvisional: async (comuna, childId) => {
          const key = `${comuna}#${childId}`;
          if (this.entries.get(key)?.provisional) this.entries.delete(key);
        },
        recordAlert: async (comuna, childId, summary) => {
          const key = `${comuna}#${childId}`;
          const entry = this.entries.get(key) ?? { provisional: true, alerts: [], repeats: new Map() };
          entry.alerts = [...entry.alerts.filter((a) => a.alertId !== summary.alertId), summary];
          this.entries.set(key, entry);
        },
        recordRepeatReport: async (comuna, childId, alertId, repeatId) => {
          const entry = this.entries.get(`${comuna}#${childId}`);
          if (!entry) throw new Error(`no entry ${comuna}#${childId} for a repeat`);
          // Idempotent, as the store's.
          const held = entry.repeats.get(alertId) ?? [];
          if (!held.includes(repeatId)) entry.repeats.set(alertId, [...held, repeatId]);
        },
      },
      directory: {
        mergedInto: async (childId) => this.merged.get(childId),
        mergeProvisional: async (from, to) => {
          this.merged.set(from, to);
          this.records = this.records.map((r) => (r.childId === from ? { ...r, childId: to } : r));
        },
        recordsOf: async (childId) => this.records.filter((r) => r.childId === childId),
        matchRecords: async () => this.index,
      },
      hasCase: async (childId) => this.cases.has(childId),
    };
  }
}

const alert = (alertId: string, extra: Partial<StoredAlert> = {}): StoredAlert => ({
  alertId,
  childId: P,
  comuna: '13101',
  raisedInComuna: '13101',
  riskFactor: 'negligencia_o_violencia',
  description: 'llega sin almuerzo',
  urgent: false,
  receivedAt: '2026-11-20T10:00:00.000Z',
  reportedBy: { subject: 's', role: 'sectorialista', institution: 'Escuela' },
  identification: { method: 'provisional', provisionalChildId: P, at: '2026-11-20T10:00:00.000Z' },
  awaitingIdentity: 'provisional',
  state: 'sin gestionar',
  version: 1,
  ...extra,
});

let world: World;
beforeEach(() => {
  world = new World();
  world.records = [
    {
      childId: P,
      comuna: '13101',
      givenNames: 'Josefa',
      paternalSurname: 'Pérez',
      maternalSurname: 'Soto',
      birthDate: '2014-05-02',
      source: 'alerta',
      cut: '2026-11',
    },
  ];
  world.index = [
    {
      childId: C,
      givenNames: 'Josefa Andrea',
      paternalSurname: 'Perez',
      maternalSurname: 'Soto',
      birthDate: '2014-05-02',
      provisional: false,
    },
  ];
  const first = alert('a-1');
  const repeat = alert('a-2', { repeatOf: 'a-1', receivedAt: '2026-11-21T10:00:00.000Z' });
  world.alerts.set(first.alertId, first);
  world.alerts.set(repeat.alertId, repeat);
  world.open.set(`${P}#negligencia_o_violencia`, 'a-1');
  world.entries.set(`13101#${P}`, {
    provisional: true,
    alerts: [],
    repeats: new Map([['a-1', ['a-2']]]),
  });
});

describe('identifyProvisionalChildren', () => {
  it('merges a provisional child found with certainty: alerts, open place, nómina entry', async () => {
    const outcome = await identifyProvisionalChildren(world.deps(), NOW);
    expect(outcome).toEqual({ merged: 1, candidatesChanged: 0, refused: 0, looked: 1 });
    const moved = [...world.alerts.values()];
    expect(moved.map((a) => [a.alertId, a.childId, a.identification?.method, a.awaitingIdentity])).toEqual([
      ['a-1', C, 'ingesta', undefined],
      ['a-2', C, 'ingesta', undefined],
    ]);
    expect(moved[0]?.identification?.provisionalChildId).toBe(P);
    expect(world.open.get(`${C}#negligencia_o_violencia`)).toBe('a-1');
    expect(world.open.has(`${P}#negligencia_o_violencia`)).toBe(false);
    expect(world.entries.has(`13101#${P}`)).toBe(false);
    expect(world.entries.get(`13101#${C}`)?.repeats.get('a-1')).toEqual(['a-2']);
    expect(world.merged.get(P)).toBe(C);
  });

  it('finishes a merge cut short on the next pass', async () => {
    world.failNextUpdateOf = 'a-2';
    await expect(identifyProvisionalChildren(world.deps(), NOW)).rejects.toThrow('DynamoDB unavailable');
    // Half done: one alert moved, the provisional entry still there.
    expect(world.alerts.get('a-1')?.childId).toBe(C);
    expect(world.alerts.get('a-2')?.childId).toBe(P);
    expect(world.entries.has(`13101#${P}`)).toBe(true);
    // The index no longer finds the child (its record moved): the marker says where it went.
    world.index = [];
    const outcome = await identifyProvisionalChildren(world.deps(), NOW);
    expect(outcome.merged).toBe(1);
    expect([...world.alerts.values()].every((a) => a.childId === C && a.awaitingIdentity === undefined)).toBe(
      true,
    );
    expect(world.entries.has(`13101#${P}`)).toBe(false);
    expect(await identifyProvisionalChildren(world.deps(), NOW)).toMatchObject({ looked: 0 });
  });

  it('does not merge a provisional child with a case: shows the match as the one candidate instead', async () => {
    world.cases.add(P);
    const outcome = await identifyProvisionalChildren(world.deps(), NOW);
    expect(outcome).toEqual({ merged: 0, candidatesChanged: 1, refused: 1, looked: 1 });
    expect(world.alerts.get('a-1')?.childId).toBe(P);
    expect(world.alerts.get('a-1')?.identification?.candidates?.map((c) => c.childId)).toEqual([C]);
    await expect(
      mergeProvisionalChild(world.deps(), { from: P, to: C, method: 'confirmada', at: NOW }),
    ).rejects.toBeInstanceOf(MergeRefusedError);
  });

  it('shows the candidates of an uncertain match once, and leaves a child no one resembles alone', async () => {
    world.index = [
      { ...(world.index[0] as MatchRecord), maternalSurname: undefined },
      { ...(world.index[0] as MatchRecord), childId: 'n-othertwinothertwinothe', maternalSurname: undefined },
    ];
    expect(await identifyProvisionalChildren(world.deps(), NOW)).toMatchObject({
      merged: 0,
      candidatesChanged: 1,
    });
    expect(world.alerts.get('a-1')?.identification?.candidates).toHaveLength(2);
    expect(await identifyProvisionalChildren(world.deps(), NOW)).toMatchObject({ candidatesChanged: 0 });
    world.index = [];
    expect(await identifyProvisionalChildren(world.deps(), NOW)).toMatchObject({
      merged: 0,
      candidatesChanged: 1,
    });
    expect(world.alerts.get('a-1')?.identification?.candidates).toBeUndefined();
  });

  it('refuses to merge a provisional child already merged into another', async () => {
    world.merged.set(P, 'n-someoneelsesomeoneelse');
    await expect(
      mergeProvisionalChild(world.deps(), { from: P, to: C, method: 'confirmada', at: NOW }),
    ).rejects.toThrow(/ya se unió/);
  });
});

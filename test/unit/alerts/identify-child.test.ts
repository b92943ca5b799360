import { describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../functions/alerts/domain/alert';
import { alertMessageSchema } from '../../../functions/alerts/domain/alert';
import type { ChildDirectory } from '../../../functions/alerts/domain/identify-child';
import { identifyChild } from '../../../functions/alerts/domain/identify-child';
import type { AlertIdentityRecord } from '../../../functions/identity/domain/identity';
import type { BirthDateRange, MatchRecord } from '../../../functions/identity/domain/matching';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';

const pseudonymiser = createPseudonymiser('ab'.repeat(32));
const ALERT_ID = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';

const message = (child: Record<string, unknown>): AlertMessage =>
  alertMessageSchema.parse({
    alertId: ALERT_ID,
    comuna: '13101',
    riskFactor: 'negligencia_o_violencia',
    description: 'llega sin almuerzo varios días',
    urgent: false,
    receivedAt: '2026-11-20T10:00:00.000Z',
    reporter: { id: 'escuela-1', role: 'sectorialista', institution: 'Escuela Los Aromos' },
    child,
  });

function directory(records: MatchRecord[], mergedInto: Record<string, string> = {}) {
  const asked: { block: string; range: BirthDateRange }[] = [];
  const said: AlertIdentityRecord[] = [];
  const dir: ChildDirectory = {
    matchRecords: async (block, range) => {
      asked.push({ block, range });
      return records;
    },
    putIfAbsent: async (record) => {
      said.push(record);
    },
    mergedInto: async (childId) => mergedInto[childId],
  };
  return { dir, asked, said };
}

const JOSEFA: MatchRecord = {
  childId: 'n-josefajosefajosefajose',
  givenNames: 'Josefa Andrea',
  paternalSurname: 'Pérez',
  maternalSurname: 'Soto',
  birthDate: '2014-05-02',
  provisional: false,
};
const named = {
  givenNames: 'Josefa',
  paternalSurname: 'Perez',
  maternalSurname: 'Soto',
  birthDate: '02-05-2014',
};

describe('identifyChild', () => {
  it('pseudonymises the RUN, and keeps what was said of the child under it', async () => {
    const { dir, asked, said } = directory([JOSEFA]);
    const found = await identifyChild(
      { pseudonymiser, directory: dir },
      message({ run: '12.345.678-5', givenNames: 'Josefa' }),
    );
    expect(found).toMatchObject({
      childId: pseudonymiser.child({ body: 12_345_678, dv: '5' }),
      identification: { method: 'run' },
      provisional: false,
    });
    expect(asked).toEqual([]);
    expect(said).toEqual([
      expect.objectContaining({ run: '12345678-5', givenNames: 'Josefa', source: 'alerta', cut: '2026-11' }),
    ]);
  });

  it('writes nothing to the identity store for a RUN alone', async () => {
    const { dir, said } = directory([]);
    await identifyChild({ pseudonymiser, directory: dir }, message({ run: '12.345.678-5' }));
    expect(said).toEqual([]);
  });

  it('finds a known child by names and birth date, looking in one surname of one comuna on one day', async () => {
    const { dir, asked, said } = directory([JOSEFA]);
    const found = await identifyChild({ pseudonymiser, directory: dir }, message(named));
    expect(asked).toEqual([{ block: '13101#peres', range: { from: '2014-05-02', to: '2014-05-02' } }]);
    expect(found).toEqual({
      childId: JOSEFA.childId,
      identification: {
        method: 'nombres',
        provisionalChildId: pseudonymiser.provisionalChild(ALERT_ID),
        at: '2026-11-20T10:00:00.000Z',
      },
      provisional: false,
      fresh: false,
    });
    expect(said[0]).toMatchObject({ childId: JOSEFA.childId, birthDate: '2014-05-02' });
    expect(said[0]).not.toHaveProperty('run');
  });

  it('files a provisional child, named by the alert, with the candidates of an uncertain match', async () => {
    const { dir, said } = directory([JOSEFA]);
    const { maternalSurname: _m, ...noMaternal } = named;
    const found = await identifyChild({ pseudonymiser, directory: dir }, message(noMaternal));
    expect(found.childId).toBe(pseudonymiser.provisionalChild(ALERT_ID));
    expect(found.provisional).toBe(true);
    // Named by this alert: nothing else can be under it yet.
    expect(found.fresh).toBe(true);
    expect(found.identification.method).toBe('provisional');
    expect(found.identification.candidates?.map((c) => c.childId)).toEqual([JOSEFA.childId]);
    expect(said[0]).toMatchObject({ childId: found.childId, givenNames: 'Josefa', source: 'alerta' });
  });

  it('finds the provisional child of an earlier report, or the child it was merged into', async () => {
    const earlier = { ...JOSEFA, childId: 'n-earlierearlierearlierea', provisional: true };
    const again = await identifyChild({ pseudonymiser, directory: directory([earlier]).dir }, message(named));
    expect(again).toMatchObject({
      childId: earlier.childId,
      provisional: true,
      identification: { method: 'nombres' },
    });
    const merged = await identifyChild(
      { pseudonymiser, directory: directory([earlier], { [earlier.childId]: JOSEFA.childId }).dir },
      message(named),
    );
    expect(merged).toMatchObject({ childId: JOSEFA.childId, provisional: false });
  });

  it('gives the same provisional child on every delivery of one alert, and another to another alert', () => {
    expect(pseudonymiser.provisionalChild(ALERT_ID)).toBe(
      pseudonymiser.provisionalChild(ALERT_ID.toUpperCase()),
    );
    expect(pseudonymiser.provisionalChild(ALERT_ID)).not.toBe(
      pseudonymiser.provisionalChild('0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0c'),
    );
    expect(pseudonymiser.provisionalChild(ALERT_ID)).toMatch(/^n-[A-Za-z0-9_-]{22}$/);
  });
});

describe('the alert message', () => {
  it('refuses a message that names no child it could find, naming the field', () => {
    const base = {
      alertId: ALERT_ID,
      comuna: '13101',
      riskFactor: 'negligencia_o_violencia',
      description: 'llega sin almuerzo varios días',
      urgent: false,
      receivedAt: '2026-11-20T10:00:00.000Z',
      reporter: { id: 'escuela-1', role: 'sectorialista', institution: 'Escuela Los Aromos' },
    };
    const problems = (child: unknown) =>
      alertMessageSchema.safeParse({ ...base, child }).error?.issues.map((i) => i.path.join('.'));
    expect(problems({ givenNames: 'Josefa', paternalSurname: 'Pérez' })).toEqual(['child']);
    expect(problems({ run: '12.345.678-9' })).toEqual(['child.run']);
    expect(problems({ run: '12.345.678-5', approximateAge: 30 })).toEqual(['child.approximateAge']);
    expect(problems({ run: '12.345.678-5', nombre: 'x' })).toEqual(['child']);
    expect(problems({ run: '12.345.678-5' })).toBeUndefined();
    const role = alertMessageSchema.safeParse({
      ...base,
      reporter: { ...base.reporter, role: 'director' },
      child: { run: '12.345.678-5' },
    });
    expect(role.error?.issues.map((i) => i.path.join('.'))).toEqual(['reporter.role']);
  });
});

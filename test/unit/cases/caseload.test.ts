import { describe, expect, it } from 'vitest';
import type { CaseLoadItem } from '../../../functions/cases/domain/caseload';
import {
  CaseloadCapError,
  checkAssignment,
  DEFAULT_CASELOAD_CAPS,
  gestorLoad,
  terapeutaLoad,
} from '../../../functions/cases/domain/caseload';
import type { WaitingCase } from '../../../functions/cases/domain/waiting-list';
import { nextOnList, waitingOrder } from '../../../functions/cases/domain/waiting-list';
import { thrownBy } from '../thrown';

const item = (i: number, over: Partial<CaseLoadItem> = {}): CaseLoadItem => ({
  caseId: `c-${i}`,
  state: 'diagnostico',
  family: `h-${i}`,
  ...over,
});

describe('caseload caps', () => {
  it('are the platform defaults: 40 cases per gestor, 25 families per terapeuta', () => {
    expect(DEFAULT_CASELOAD_CAPS).toEqual({ gestorCases: 40, terapeutaFamilies: 25 });
  });

  it("take a gestor's 40th active case and refuse the 41st, with the cap and the load", () => {
    const cases = Array.from({ length: 39 }, (_, i) => item(i, { gestor: 'g-1' }));
    expect(() => checkAssignment(cases, item(100), { gestor: 'g-1' }, DEFAULT_CASELOAD_CAPS)).not.toThrow();
    const full = [...cases, item(39, { gestor: 'g-1' })];
    const e = thrownBy(CaseloadCapError, () =>
      checkAssignment(full, item(100), { gestor: 'g-1' }, DEFAULT_CASELOAD_CAPS),
    );
    expect(e).toMatchObject({ role: 'gestor_casos', worker: 'g-1', cap: 40, load: 40 });
    expect(e.message).toContain('ya tiene 40 casos activos y el tope es 40');
  });

  it('count only active cases, and never the case being assigned twice', () => {
    const cases = [
      ...Array.from({ length: 38 }, (_, i) => item(i, { gestor: 'g-1' })),
      item(50, { gestor: 'g-1', state: 'egreso' }),
      item(51, { gestor: 'g-1', state: 'rechazado_familia' }),
      item(52, { gestor: 'g-1', state: 'seguimiento' }),
      item(53, { gestor: 'g-1' }),
    ];
    expect(gestorLoad(cases, 'g-1')).toBe(40);
    // Re-assigning a case the gestor already carries does not take a new place.
    expect(() => checkAssignment(cases, item(53), { gestor: 'g-1' }, DEFAULT_CASELOAD_CAPS)).not.toThrow();
    expect(() => checkAssignment(cases, item(99), { gestor: 'g-1' }, DEFAULT_CASELOAD_CAPS)).toThrow(
      CaseloadCapError,
    );
  });

  it('count a terapeuta by families: a sibling of a family already served takes no new place', () => {
    const cases = Array.from({ length: 25 }, (_, i) => item(i, { terapeuta: 't-1' }));
    cases.push(item(30, { terapeuta: 't-1', family: 'h-0' }));
    expect(terapeutaLoad(cases, 't-1').size).toBe(25);
    expect(() =>
      checkAssignment(cases, { caseId: 'c-99', family: 'h-3' }, { terapeuta: 't-1' }, DEFAULT_CASELOAD_CAPS),
    ).not.toThrow();
    const e = thrownBy(CaseloadCapError, () =>
      checkAssignment(
        cases,
        { caseId: 'c-99', family: 'h-new' },
        { terapeuta: 't-1' },
        DEFAULT_CASELOAD_CAPS,
      ),
    );
    expect(e).toMatchObject({ role: 'terapeuta_familiar', cap: 25, load: 25 });
    expect(e.message).toContain('ya atiende 25 familias');
  });

  it("use the comuna's own caps when configured", () => {
    const cases = Array.from({ length: 10 }, (_, i) => item(i, { gestor: 'g-1' }));
    expect(() =>
      checkAssignment(cases, item(99), { gestor: 'g-1' }, { gestorCases: 10, terapeutaFamilies: 5 }),
    ).toThrow('el tope es 10');
  });
});

describe('the waiting list', () => {
  const w = (caseId: string, over: Partial<WaitingCase> = {}): WaitingCase => ({
    caseId,
    urgent: false,
    ventile: 10,
    waitingSince: '2026-11-01T00:00:00Z',
    ...over,
  });

  it('offers a place to an urgent alert first, then the higher ventile, then who waited longest', () => {
    const list = [
      w('a', { ventile: 20 }),
      w('b', { urgent: true, ventile: 3 }),
      w('c', { ventile: 20, waitingSince: '2026-10-01T00:00:00Z' }),
      w('d', { ventile: undefined, waitingSince: '2026-01-01T00:00:00Z' }),
      w('e', { ventile: 12 }),
      w('f', { urgent: true, ventile: 15 }),
    ];
    expect([...list].sort(waitingOrder).map((c) => c.caseId)).toEqual(['f', 'b', 'c', 'a', 'e', 'd']);
    expect(nextOnList(list)?.caseId).toBe('f');
    expect(nextOnList([])).toBeUndefined();
  });

  it('breaks a full tie by case id, whatever the input order', () => {
    expect([w('z'), w('m')].sort(waitingOrder).map((c) => c.caseId)).toEqual(['m', 'z']);
    expect([w('m'), w('z')].sort(waitingOrder).map((c) => c.caseId)).toEqual(['m', 'z']);
  });
});

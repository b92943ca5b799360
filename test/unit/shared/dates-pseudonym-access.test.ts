import { describe, expect, it } from 'vitest';
import { isAllowed } from '../../../functions/shared/domain/access';
import {
  addMonths,
  ageInYears,
  chileDate,
  cutKnowledgeDate,
  parseDate,
} from '../../../functions/shared/domain/dates';
import {
  CHILD_ID_PATTERN,
  createPseudonymiser,
  PseudonymKeyError,
} from '../../../functions/shared/domain/pseudonym';

describe('dates', () => {
  it("gives continental Chile's calendar date, not UTC's", () => {
    // December is summer time (UTC-3); July is standard time (UTC-4).
    expect(chileDate(new Date('2026-12-02T02:30:00Z'))).toBe('2026-12-01');
    expect(chileDate(new Date('2026-12-02T03:30:00Z'))).toBe('2026-12-02');
    expect(chileDate(new Date('2026-07-15T03:30:00Z'))).toBe('2026-07-14');
  });

  it('reads dd-mm-yyyy, dd/mm/yyyy and ISO, and refuses impossible dates', () => {
    expect(parseDate('05-03-2009')).toBe('2009-03-05');
    expect(parseDate('5/3/2009')).toBe('2009-03-05');
    expect(parseDate('2009-03-05')).toBe('2009-03-05');
    expect(parseDate('31-02-2020')).toBeUndefined();
    expect(parseDate('29-02-2023')).toBeUndefined();
    expect(parseDate('29-02-2024')).toBe('2024-02-29');
    expect(parseDate('2024/02/29')).toBeUndefined();
    expect(parseDate('')).toBeUndefined();
  });

  it('counts whole years of age and month arithmetic at month ends', () => {
    expect(ageInYears('2009-03-05', '2026-03-04')).toBe(16);
    expect(ageInYears('2009-03-05', '2026-03-05')).toBe(17);
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(cutKnowledgeDate('2026-02')).toBe('2026-02-28');
    expect(cutKnowledgeDate('2026-13')).toBeUndefined();
  });
});

describe('pseudonymisation', () => {
  const run = { body: 12_345_678, dv: '5' as const };

  it('is stable for a key, differs across keys, and hides the RUN', () => {
    const a = createPseudonymiser('11'.repeat(32));
    const b = createPseudonymiser('22'.repeat(32));
    expect(a.child(run)).toBe(a.child(run));
    expect(a.child(run)).not.toBe(b.child(run));
    expect(a.child(run)).toMatch(CHILD_ID_PATTERN);
    expect(a.child(run)).not.toContain('12345678');
    expect(a.household('0810100001')).toMatch(/^h-/);
    expect(a.household('0810100001')).not.toBe(a.child(run).replace(/^n-/, 'h-'));
  });

  it('gives a household the same pseudonym whatever the order its folios come in', () => {
    const folios = ['F1', 'F1', 'F2', ' f1 ', 'F1', 'F2', 'F2', 'F3'];
    const inOrder = createPseudonymiser('11'.repeat(32));
    const got = folios.map((f) => inOrder.household(f));
    const expected = folios.map((f) => createPseudonymiser('11'.repeat(32)).household(f));
    expect(got).toEqual(expected);
    expect(new Set(got).size).toBe(3);
  });

  it('refuses a key shorter than 256 bits', () => {
    expect(() => createPseudonymiser('abcd')).toThrow(PseudonymKeyError);
  });
});

describe('access', () => {
  const coordinator = { subject: 'c', role: 'coordinador' as const, comunas: ['13101'] };
  it('scopes the roster to the comunas of the caller and to OLN and national roles', () => {
    expect(isAllowed(coordinator, 'roster:read', '13101')).toBe(true);
    expect(isAllowed(coordinator, 'roster:read', '13110')).toBe(false);
    expect(isAllowed({ ...coordinator, role: 'sectorialista' }, 'roster:read', '13101')).toBe(false);
    expect(isAllowed({ ...coordinator, role: 'sectorialista' }, 'alert:create', '13101')).toBe(true);
    expect(
      isAllowed({ subject: 'a', role: 'administrador_central', comunas: '*' }, 'roster:read', '16107'),
    ).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { MatchRecord, ReportedChild } from '../../../functions/identity/domain/matching';
import {
  birthDateRange,
  decideMatch,
  MAX_CANDIDATES,
  matchBlockOf,
  nameKey,
} from '../../../functions/identity/domain/matching';

const report = (extra: Partial<ReportedChild> = {}): ReportedChild => ({
  comuna: '13101',
  givenNames: 'Sofía',
  paternalSurname: 'González',
  maternalSurname: 'Valenzuela',
  birthDate: '2015-03-14',
  asOf: '2026-11-20',
  ...extra,
});
const registered = (childId: string, extra: Partial<MatchRecord> = {}): MatchRecord => ({
  childId,
  givenNames: 'Sofía Antonia',
  paternalSurname: 'González',
  maternalSurname: 'Valenzuela',
  birthDate: '2015-03-14',
  provisional: false,
  ...extra,
});

describe('nameKey', () => {
  it('meets the usual spelling variants of one Spanish name', () => {
    const same = [
      ['González', 'Gonzales', 'GONSALEZ', 'gonzález'],
      ['Valenzuela', 'Balensuela'],
      ['Jiménez', 'Gimenez', 'Jimenes'],
      ['Yáñez', 'Llanez', 'Yanes'],
      ['Hernández', 'Ernandez'],
      ['Cecilia', 'Sesilia'],
      ['Muñoz', 'Munoz', 'Muños'],
      ['Quiroga', 'Kiroga'],
      ['Godoy', 'Godoi'],
      ['Mattus', 'Matus'],
    ];
    for (const group of same) {
      const keys = new Set(group.map(nameKey));
      expect(keys.size, group.join(' / ')).toBe(1);
    }
  });

  it('keeps different names apart', () => {
    const different = [
      ['Soto', 'Sota'],
      ['Pérez', 'Peña'],
      ['Rojas', 'Rosas'],
      ['Campos', 'Ramos'],
      ['Chávez', 'Cáceres'],
    ];
    for (const [a, b] of different)
      expect(nameKey(a as string), `${a} / ${b}`).not.toBe(nameKey(b as string));
  });

  it('is empty for a name with no letters', () => {
    expect(nameKey(' 123 -- ')).toBe('');
  });
});

describe('matchBlockOf', () => {
  it('keys by comuna and the first significant word of the paternal surname', () => {
    expect(matchBlockOf('13101', 'González')).toBe('13101#gonsales');
    expect(matchBlockOf('13101', 'de la Fuente')).toBe(matchBlockOf('13101', 'De La Fuente'));
    expect(matchBlockOf('13101', 'de la Fuente')).toBe('13101#fuente');
    expect(matchBlockOf('13101', undefined)).toBeUndefined();
    expect(matchBlockOf('13101', '---')).toBeUndefined();
  });
});

describe('birthDateRange', () => {
  it('is the day itself for a birth date, and every day an approximate age allows otherwise', () => {
    expect(birthDateRange(report())).toEqual({ from: '2015-03-14', to: '2015-03-14' });
    const { birthDate: _b, ...noDate } = report();
    // Aged 11 on 2026-11-20: born 2014-11-21 to 2015-11-20, with a year of slack each way.
    expect(birthDateRange({ ...noDate, approximateAge: 11 })).toEqual({
      from: '2013-11-20',
      to: '2016-11-20',
    });
  });
});

describe('decideMatch', () => {
  it('is certain of the one child who agrees on the first name, both surnames and the birth date', () => {
    const decision = decideMatch(report(), [
      registered('n-a'),
      registered('n-b', { birthDate: '2015-03-15' }),
    ]);
    expect(decision).toMatchObject({ kind: 'certain', candidate: { childId: 'n-a', provisional: false } });
  });

  it('meets spelling variants of every name', () => {
    const decision = decideMatch(
      report({ givenNames: 'sofia', paternalSurname: 'Gonzales', maternalSurname: 'Balensuela' }),
      [registered('n-a')],
    );
    expect(decision.kind).toBe('certain');
  });

  it('gives candidates, not a match, when two children agree (twins with one name given)', () => {
    const decision = decideMatch(report({ givenNames: 'Sofía' }), [
      registered('n-a', { givenNames: 'Sofía Antonia' }),
      registered('n-b', { givenNames: 'Sofía Belén' }),
    ]);
    expect(decision.kind).toBe('uncertain');
    if (decision.kind !== 'uncertain') return;
    expect(decision.candidates.map((c) => c.childId).sort()).toEqual(['n-a', 'n-b']);
  });

  it('gives candidates when the maternal surname is missing or the age is approximate', () => {
    const { maternalSurname: _m, ...noMaternal } = report();
    const missing = decideMatch(noMaternal, [registered('n-a')]);
    expect(missing).toMatchObject({
      kind: 'uncertain',
      candidates: [
        {
          childId: 'n-a',
          agreement: { givenNames: 'igual', maternalSurname: 'sin_dato', birthDate: 'igual' },
        },
      ],
    });
    const { birthDate: _b, ...noDate } = report();
    const aged = decideMatch({ ...noDate, approximateAge: 11 }, [registered('n-a')]);
    expect(aged).toMatchObject({
      kind: 'uncertain',
      candidates: [{ childId: 'n-a', agreement: { birthDate: 'compatible' } }],
    });
  });

  it('finds no one when the given names or the surnames differ', () => {
    expect(decideMatch(report(), [registered('n-a', { givenNames: 'Martina' })]).kind).toBe('none');
    expect(decideMatch(report(), [registered('n-a', { paternalSurname: 'González Rivas' })]).kind).toBe(
      'certain',
    );
    expect(decideMatch(report(), [registered('n-a', { paternalSurname: 'Gonzaga' })]).kind).toBe('none');
    expect(decideMatch(report(), [registered('n-a', { maternalSurname: 'Rivas' })]).kind).toBe('none');
    const { birthDate: _b, ...noDate } = report();
    expect(decideMatch({ ...noDate, approximateAge: 4 }, [registered('n-a')]).kind).toBe('none');
    expect(decideMatch(report(), []).kind).toBe('none');
  });

  it('prefers the child the data knows to a provisional one reported before', () => {
    const decision = decideMatch(report(), [registered('n-p', { provisional: true }), registered('n-a')]);
    expect(decision).toMatchObject({ kind: 'certain', candidate: { childId: 'n-a' } });
    const alone = decideMatch(report(), [registered('n-p', { provisional: true })]);
    expect(alone).toMatchObject({ kind: 'certain', candidate: { childId: 'n-p', provisional: true } });
  });

  it('counts a child once, by its best record, and knows it by any record with a RUN', () => {
    const decision = decideMatch(report(), [
      registered('n-a', { givenNames: 'Sofi', provisional: true }),
      registered('n-a'),
    ]);
    expect(decision).toMatchObject({
      kind: 'certain',
      candidate: { childId: 'n-a', provisional: false, score: 6 },
    });
  });

  it('keeps at most a handful of candidates, closest first', () => {
    const many = Array.from({ length: 9 }, (_, i) =>
      registered(`n-${i}`, { maternalSurname: i % 2 === 0 ? 'Valenzuela' : undefined }),
    );
    const decision = decideMatch(
      report({ givenNames: 'Sofía' }),
      many.map((r) => ({ ...r, givenNames: 'Sofía Antonia' })),
    );
    expect(decision.kind).toBe('uncertain');
    if (decision.kind !== 'uncertain') return;
    expect(decision.candidates).toHaveLength(MAX_CANDIDATES);
    const scores = decision.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
});

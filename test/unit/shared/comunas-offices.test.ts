import { describe, expect, it } from 'vitest';
import {
  COMUNAS,
  comunaRef,
  findComuna,
  isKnownComuna,
  PILOT_COMUNAS,
  regionOf,
} from '../../../functions/shared/domain/comunas';
import {
  hasOffice,
  OLN_OFFICES,
  officeComunas,
  parseOlnOffices,
} from '../../../functions/shared/domain/oln-offices';

describe('the official list of comunas', () => {
  it('holds all 346 comunas, each CUT once, inside its province and region', () => {
    expect(COMUNAS).toHaveLength(346);
    expect(new Set(COMUNAS.map((c) => c.cut)).size).toBe(346);
    for (const c of COMUNAS) {
      expect(c.cut, c.name).toMatch(/^\d{5}$/);
      expect(c.cut.startsWith(c.provinceCut), c.name).toBe(true);
      expect(c.provinceCut.startsWith(c.regionCut), c.name).toBe(true);
      expect(regionOf(c.cut)).toBe(c.regionCut);
    }
    // Sixteen regions, the Metropolitana the largest.
    expect(new Set(COMUNAS.map((c) => c.regionCut)).size).toBe(16);
    expect(COMUNAS.filter((c) => c.regionCut === '13')).toHaveLength(52);
  });

  it('knows comunas beyond the pilot, and nothing outside the list', () => {
    expect(findComuna('13201')?.name).toBe('Puente Alto');
    expect(findComuna('12101')?.name).toBe('Punta Arenas');
    expect(isKnownComuna('99999')).toBe(false);
    expect(isKnownComuna('1101')).toBe(false);
    expect(comunaRef('05101')).toEqual({ code: '05101', name: 'Valparaíso' });
    expect(comunaRef('99999')).toEqual({ code: '99999', name: null });
  });

  it('keeps the twelve pilot comunas with their official names', () => {
    expect(PILOT_COMUNAS.map((c) => `${c.cut} ${c.name}`)).toEqual([
      '01101 Iquique',
      '04101 La Serena',
      '05701 San Felipe',
      '06116 Requínoa',
      '07201 Cauquenes',
      '08101 Concepción',
      '09111 Nueva Imperial',
      '11201 Aysén',
      '13101 Santiago',
      '13110 La Florida',
      '13301 Colina',
      '16107 Quillón',
    ]);
  });
});

describe('OLN offices as configuration', () => {
  it('has an office in each pilot comuna and nowhere else today', () => {
    expect(officeComunas()).toEqual(PILOT_COMUNAS.map((c) => c.cut));
    expect(hasOffice('13101')).toBe(true);
    expect(hasOffice('13201')).toBe(false);
  });

  it('opens an office in a new comuna by a new entry, from its opening day', () => {
    const config = parseOlnOffices(
      {
        comunas: {
          ...OLN_OFFICES.comunas,
          '13201': { openedOn: '2027-03-01', yearlyInterventions: 900 },
        },
      },
      'f.json',
    );
    expect(hasOffice('13201', undefined, config)).toBe(true);
    expect(hasOffice('13201', '2027-02-28', config)).toBe(false);
    expect(hasOffice('13201', '2027-03-01', config)).toBe(true);
    expect(officeComunas(config)).toContain('13201');
  });

  it('refuses an office outside the official list, or one without its opening day, naming the entry', () => {
    expect(() =>
      parseOlnOffices(
        { comunas: { '99999': { openedOn: '2027-03-01', yearlyInterventions: 10 } } },
        'f.json',
      ),
    ).toThrow('f.json: comunas.99999: not a comuna of the official CUT list');
    expect(() => parseOlnOffices({ comunas: { '13201': { yearlyInterventions: 10 } } }, 'f.json')).toThrow(
      'f.json: comunas.13201.openedOn',
    );
    expect(() =>
      parseOlnOffices({ comunas: { '13201': { openedOn: '2027-03-01', yearlyInterventions: 0 } } }, 'f.json'),
    ).toThrow('f.json: comunas.13201.yearlyInterventions');
  });
});

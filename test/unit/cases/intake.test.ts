import { describe, expect, it } from 'vitest';
import type { IntakeDecision, IntakeEntry } from '../../../functions/cases/domain/intake';
import {
  DISCARD_REASONS,
  decideIntake,
  discardDeadline,
  IntakeError,
  intakeRates,
  overdueEntries,
} from '../../../functions/cases/domain/intake';
import { thrownBy } from '../thrown';

const coordinador = { subject: 'coord-1', role: 'coordinador' } as const;
const entry = (over: Partial<IntakeEntry> = {}): IntakeEntry => ({
  childId: 'n-1',
  comuna: '13101',
  origin: 'predictivo',
  enteredAt: '2026-11-01T10:00:00.000Z',
  probability: 0.31,
  ventile: 20,
  modelVersion: 'logistic-2024-b6b69222',
  ...over,
});

describe('intake from the nómina', () => {
  it('records an acceptance against the score, ventile and model the child had', () => {
    const d = decideIntake(entry(), { kind: 'aceptar' }, coordinador, '2026-11-05T09:00:00.000Z');
    expect(d).toMatchObject({
      kind: 'aceptar',
      reason: null,
      probability: 0.31,
      ventile: 20,
      modelVersion: 'logistic-2024-b6b69222',
      origin: 'predictivo',
      daysOnRoster: 3,
      by: coordinador,
    });
  });

  it('lets the coordinador discard until 20 days after entering the nómina, and not a moment later', () => {
    expect(discardDeadline('2026-11-01T10:00:00.000Z')).toBe('2026-11-21T10:00:00.000Z');
    const input = {
      kind: 'descartar',
      reason: 'familia_no_ubicable',
      note: 'tres visitas sin respuesta',
    } as const;
    expect(decideIntake(entry(), input, coordinador, '2026-11-21T10:00:00.000Z').kind).toBe('descartar');
    const e = thrownBy(IntakeError, () =>
      decideIntake(entry(), input, coordinador, '2026-11-21T10:00:00.001Z'),
    );
    expect(e.problem).toBe('discard_window_closed');
    expect(e.message).toContain('2026-11-21');
    // Accepting stays possible after the window.
    expect(
      decideIntake(entry(), { kind: 'aceptar' }, coordinador, '2026-12-30T00:00:00.000Z').daysOnRoster,
    ).toBe(58);
  });

  it('asks for a note with every discard, and marks the one that obliges a referral', () => {
    for (const note of ['', '   ']) {
      expect(
        thrownBy(IntakeError, () =>
          decideIntake(
            entry(),
            { kind: 'descartar', reason: 'no_corresponde', note },
            coordinador,
            '2026-11-02T00:00:00Z',
          ),
        ).problem,
      ).toBe('note_required');
    }
    for (const reason of DISCARD_REASONS) {
      const d = decideIntake(
        entry(),
        { kind: 'descartar', reason, note: ' nota ' },
        coordinador,
        '2026-11-02T00:00:00Z',
      );
      expect(d.referralRequired).toBe(reason === 'vulneracion_en_curso');
      expect(d.note).toBe('nota');
    }
  });

  it('is a decision of the coordinador only', () => {
    for (const role of [
      'gestor_casos',
      'terapeuta_familiar',
      'sectorialista',
      'coordinador_regional',
      'administrador_central',
    ] as const) {
      expect(
        thrownBy(IntakeError, () =>
          decideIntake(entry(), { kind: 'aceptar' }, { subject: 'x', role }, '2026-11-02T00:00:00Z'),
        ).problem,
      ).toBe('forbidden');
    }
  });

  it('records an entry known from alerts only with no score', () => {
    const d = decideIntake(
      entry({ origin: 'manual', probability: undefined, ventile: undefined, modelVersion: undefined }),
      { kind: 'aceptar' },
      coordinador,
      '2026-11-02T00:00:00Z',
    );
    expect(d).toMatchObject({ probability: null, ventile: null, modelVersion: null, origin: 'manual' });
  });

  it('refuses a date it cannot read', () => {
    expect(
      thrownBy(IntakeError, () =>
        decideIntake(entry({ enteredAt: 'ayer' }), { kind: 'aceptar' }, coordinador, '2026-11-02T00:00:00Z'),
      ).problem,
    ).toBe('invalid_date');
  });

  it('lists the entries left without a decision past the window, oldest first', () => {
    const entries = [
      entry({ childId: 'a', enteredAt: '2026-11-10T00:00:00.000Z' }),
      entry({ childId: 'b', enteredAt: '2026-10-01T00:00:00.000Z' }),
      entry({ childId: 'c', enteredAt: '2026-10-15T00:00:00.000Z' }),
      entry({ childId: 'd', enteredAt: '2026-10-02T00:00:00.000Z' }),
    ];
    expect(overdueEntries(entries, new Set(['d']), '2026-11-20T00:00:00.000Z').map((e) => e.childId)).toEqual(
      ['b', 'c'],
    );
  });

  it("gives a comuna's discard and override rates, and discards by reason", () => {
    const at = '2026-11-02T00:00:00Z';
    const decisions: IntakeDecision[] = [
      decideIntake(entry({ childId: '1' }), { kind: 'aceptar' }, coordinador, at),
      decideIntake(
        entry({ childId: '2' }),
        { kind: 'descartar', reason: 'familia_rechaza', note: 'no desea' },
        coordinador,
        at,
      ),
      decideIntake(entry({ childId: '3', origin: 'manual' }), { kind: 'aceptar' }, coordinador, at),
      decideIntake(
        entry({ childId: '4', origin: 'experto' }),
        { kind: 'descartar', reason: 'no_corresponde', note: 'ya egresó' },
        coordinador,
        at,
      ),
    ];
    expect(intakeRates(decisions)).toEqual({
      decisions: 4,
      accepted: 2,
      discarded: 2,
      discardRate: 0.5,
      // The predictivo discard and the manual acceptance depart from the model's priority.
      overrides: 2,
      overrideRate: 0.5,
      discardsByReason: { familia_rechaza: 1, no_corresponde: 1 },
    });
    expect(intakeRates([])).toMatchObject({ discardRate: null, overrideRate: null });
  });
});

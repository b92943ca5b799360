import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../../functions/cases/domain/case';
import { openCase } from '../../../functions/cases/domain/case';
import type { NcfasRatings } from '../../../functions/cases/domain/ncfas';
import { NCFAS_DOMAINS } from '../../../functions/cases/domain/ncfas';
import { addMonths, outcomeIndicators, outcomesByProgram } from '../../../functions/cases/domain/outcomes';

const by = { subject: 'coord', role: 'coordinador' as const };
const ratings = (score: -2 | 0 | 1): NcfasRatings =>
  Object.fromEntries(NCFAS_DOMAINS.map((d) => [d, score])) as unknown as NcfasRatings;

/** A case of `childId` that reached egreso on `left`, with its PAF achievement and NCFAS scores. */
function leaver(
  childId: string,
  left: string,
  achieved: number,
  ncfas: [-2 | 0 | 1, -2 | 0 | 1] | undefined,
  program?: 'abriendo_caminos' | 'familias',
): CaseRecord {
  const opened = openCase(
    {
      childId,
      comuna: '13101',
      kind: 'aceptar',
      reason: null,
      note: null,
      referralRequired: false,
      origin: 'predictivo',
      probability: 0.4,
      ventile: 20,
      modelVersion: 'm',
      enteredAt: '2023-01-01T00:00:00.000Z',
      daysOnRoster: 1,
      by,
      at: '2023-01-02T00:00:00.000Z',
    },
    `c-${childId}`,
    `h-${childId}`,
  );
  return {
    ...opened,
    state: 'egreso',
    paf: [
      {
        domain: 'entorno',
        goal: 'meta',
        achievedPercent: achieved,
        actions: [{ description: 'acción', responsible: 'gestor', dueOn: '2023-03-01', done: true }],
      },
    ],
    ncfas: ncfas
      ? {
          ingreso: { kind: 'ingreso', ratings: ratings(ncfas[0]), assessedOn: '2023-01-10', by: 'g' },
          cierre: { kind: 'cierre', ratings: ratings(ncfas[1]), assessedOn: '2023-06-10', by: 'g' },
        }
      : {},
    referrals: program
      ? [
          {
            referralId: 'r',
            program,
            state: 'atendida',
            withPersonalData: false,
            sentOn: '2023-02-01',
            history: [],
          },
        ]
      : [],
    history: [
      ...opened.history,
      {
        action: 'egresar',
        from: 'seguimiento',
        to: 'egreso',
        by,
        at: `${left}T12:00:00.000Z`,
        reason: 'plan cumplido',
      },
    ],
  };
}

describe('outcome indicators', () => {
  it('adds calendar months, clamping the day to the month', () => {
    expect(addMonths('2024-01-31', 24)).toBe('2026-01-31');
    expect(addMonths('2024-02-29', 24)).toBe('2026-02-28');
    expect(addMonths('2023-11-15', 3)).toBe('2024-02-15');
  });

  it('counts PAF achievement, NCFAS change and re-entry only where the data covers the 24 months', () => {
    const cases = [
      leaver('n-a', '2023-06-30', 80, [-2, 1]),
      leaver('n-b', '2023-07-15', 40, [0, 0]),
      leaver('n-c', '2024-09-01', 50, undefined),
    ];
    // n-b re-entered protection 20 months after leaving; n-a entered only before its case ended.
    const entries = new Map([
      ['n-a', ['2023-01-01']],
      ['n-b', ['2025-03-10']],
    ]);
    const out = outcomeIndicators(cases, entries, '2026-03-31');
    expect(out.leavers).toBe(3);
    expect(out.pafAtLeast50).toEqual({ count: 2, of: 3, share: 2 / 3 });
    expect(out.ncfasImproved).toEqual({ count: 1, of: 2, share: 0.5 });
    expect(out.ncfasMeanChange).toBe(1.5);
    // n-c left in 2024-09: its window runs to 2026-09, past what the extract covers.
    expect(out.notReEntered).toEqual({ count: 1, of: 2, share: 0.5 });
    expect(out.reEntryPending).toBe(1);
  });

  it('leaves every leaver pending without protection data, and reports each program apart', () => {
    const cases = [
      leaver('n-a', '2023-06-30', 80, [-2, 1], 'abriendo_caminos'),
      leaver('n-b', '2023-07-15', 40, undefined),
    ];
    const out = outcomesByProgram(cases, new Map(), undefined);
    expect(out.all.notReEntered).toEqual({ count: 0, of: 0, share: null });
    expect(out.all.reEntryPending).toBe(2);
    expect(out.programs.map((p) => [p.program, p.leavers, p.pafAtLeast50.share])).toEqual([
      ['abriendo_caminos', 1, 1],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import type { PafGoal, Session } from '../../../functions/cases/domain/paf';
import {
  checkSession,
  overdueActions,
  pafAchievement,
  pafGoalSchema,
  SessionLimitError,
  sessionSchema,
} from '../../../functions/cases/domain/paf';

const goal = (over: Partial<PafGoal> = {}): PafGoal => ({
  domain: 'seguridad_familiar',
  goal: 'Rutinas de cuidado sin violencia',
  actions: [{ description: 'Taller de crianza', responsible: 'terapeuta', dueOn: '2026-12-15', done: false }],
  achievedPercent: 0,
  ...over,
});

describe('the PAF', () => {
  it('takes a goal tied to an NCFAS domain with its actions, and names the field that is wrong', () => {
    expect(
      pafGoalSchema.parse({
        domain: 'entorno',
        goal: 'Vivienda',
        actions: [{ description: 'Postular a subsidio', responsible: 'gestor', dueOn: '2027-01-10' }],
      }),
    ).toMatchObject({
      achievedPercent: 0,
      actions: [{ done: false }],
    });
    const bad = pafGoalSchema.safeParse({ domain: 'vivienda', goal: 'x', actions: [] });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['domain', 'goal', 'actions']));
    expect(
      pafGoalSchema.safeParse({ ...goal(), actions: [{ ...goal().actions[0], dueOn: '15-12-2026' }] }).error
        ?.issues[0]?.path,
    ).toEqual(['actions', 0, 'dueOn']);
  });

  it('measures its achievement as the mean of its goals', () => {
    expect(
      pafAchievement([
        goal({ achievedPercent: 100 }),
        goal({ achievedPercent: 0 }),
        goal({ achievedPercent: 50 }),
      ]),
    ).toBe(0.5);
    expect(pafAchievement([])).toBeNull();
  });

  it('lists the actions past their due date that are not done', () => {
    const goals = [
      goal({
        actions: [
          { description: 'a', responsible: 'r', dueOn: '2026-12-01', done: false },
          { description: 'b', responsible: 'r', dueOn: '2026-12-01', done: true },
          { description: 'c', responsible: 'r', dueOn: '2026-12-07', done: false },
        ],
      }),
    ];
    expect(overdueActions(goals, '2026-12-07').map((a) => a.description)).toEqual(['a']);
  });
});

describe('therapy sessions', () => {
  const many = (kind: Session['kind'], n: number): Pick<Session, 'kind'>[] =>
    Array.from({ length: n }, () => ({ kind }));

  it('allow 8 individual and 4 group sessions, and refuse the next of each with the limits', () => {
    expect(() => checkSession(many('individual', 7), { kind: 'individual' })).not.toThrow();
    expect(() => checkSession(many('individual', 8), { kind: 'individual' })).toThrow(SessionLimitError);
    expect(() => checkSession(many('individual', 8), { kind: 'grupal' })).not.toThrow();
    expect(() => checkSession([...many('individual', 8), ...many('grupal', 4)], { kind: 'grupal' })).toThrow(
      'ya tiene 4 sesiones grupales; el máximo es 4 (12 de terapia: 8 individuales y 4 grupales',
    );
  });

  it('never cap follow-up and closing sessions', () => {
    const full = [...many('individual', 8), ...many('grupal', 4), ...many('seguimiento', 10)];
    expect(() => checkSession(full, { kind: 'seguimiento' })).not.toThrow();
    expect(() => checkSession(full, { kind: 'cierre' })).not.toThrow();
  });

  it('read a session with its date, kind and attendance', () => {
    expect(sessionSchema.parse({ heldOn: '2026-12-03', kind: 'grupal', attended: false })).toEqual({
      heldOn: '2026-12-03',
      kind: 'grupal',
      attended: false,
    });
    const bad = sessionSchema.safeParse({ heldOn: '2026-12-03', kind: 'online', attended: 'sí' });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['kind', 'attended']);
  });
});

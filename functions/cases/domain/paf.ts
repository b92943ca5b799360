/**
 * The Plan de Atención Familiar (PAF) of a case's family: goals, each tied to an NCFAS domain, with
 * the actions that pursue it, who is responsible and a due date; and the family-therapy sessions,
 * at most 12 (8 individual, 4 group) plus follow-up and closing sessions, each with its date, kind
 * and attendance. Plain functions and schemas over plain data.
 */
import { z } from 'zod';
import { NCFAS_DOMAINS } from './ncfas';

const isoDay = z.iso.date({ error: 'debe ser una fecha aaaa-mm-dd' });

export const pafActionSchema = z.strictObject({
  description: z.string().trim().min(3, 'describa la acción').max(500),
  responsible: z.string().trim().min(2, 'indique quién es responsable').max(200),
  dueOn: isoDay,
  done: z.boolean().default(false),
});

export const pafGoalSchema = z.strictObject({
  domain: z.enum(NCFAS_DOMAINS, { error: `debe ser un dominio NCFAS (${NCFAS_DOMAINS.join(', ')})` }),
  goal: z.string().trim().min(3, 'describa la meta').max(500),
  actions: z.array(pafActionSchema).min(1, 'cada meta necesita al menos una acción').max(20),
  /** How far the goal is achieved, 0–100 %. */
  achievedPercent: z.number().int().min(0).max(100).default(0),
});
export type PafGoal = z.infer<typeof pafGoalSchema>;

/** The share of the PAF achieved: the mean of its goals' achievement, 0–1; null without goals. */
export function pafAchievement(goals: readonly Pick<PafGoal, 'achievedPercent'>[]): number | null {
  if (goals.length === 0) return null;
  return goals.reduce((s, g) => s + g.achievedPercent, 0) / goals.length / 100;
}

/** Actions not done whose due date has passed, as of `today` (yyyy-mm-dd). */
export function overdueActions(
  goals: readonly PafGoal[],
  today: string,
): { goal: string; description: string; dueOn: string }[] {
  return goals.flatMap((g) =>
    g.actions
      .filter((a) => !a.done && a.dueOn < today)
      .map((a) => ({ goal: g.goal, description: a.description, dueOn: a.dueOn })),
  );
}

export const SESSION_KINDS = ['individual', 'grupal', 'seguimiento', 'cierre'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** Therapy sessions a family may have, by kind; follow-up and closing sessions are not capped. */
export const SESSION_LIMITS: Readonly<Partial<Record<SessionKind, number>>> = { individual: 8, grupal: 4 };
export const THERAPY_SESSION_LIMIT = 12;

export const sessionSchema = z.strictObject({
  heldOn: isoDay,
  kind: z.enum(SESSION_KINDS, { error: `debe ser ${SESSION_KINDS.join(', ')}` }),
  attended: z.boolean({ error: 'indique si la familia asistió (true o false)' }),
  notes: z.string().trim().max(2000).optional(),
});
export type Session = z.infer<typeof sessionSchema>;

export class SessionLimitError extends Error {
  override readonly name = 'SessionLimitError';
}

/**
 * Checks one more session against the family's sessions so far: at most 8 individual and 4 group
 * sessions (12 of therapy); follow-up and closing sessions have no cap. A session planned but not
 * attended still counts, since the slot was the family's.
 */
export function checkSession(existing: readonly Pick<Session, 'kind'>[], next: Pick<Session, 'kind'>): void {
  const limit = SESSION_LIMITS[next.kind];
  if (limit === undefined) return;
  const used = existing.filter((s) => s.kind === next.kind).length;
  if (used >= limit) {
    throw new SessionLimitError(
      `la familia ya tiene ${used} sesiones ${next.kind === 'individual' ? 'individuales' : 'grupales'}; el máximo es ${limit} ` +
        `(${THERAPY_SESSION_LIMIT} de terapia: ${SESSION_LIMITS.individual} individuales y ${SESSION_LIMITS.grupal} grupales, más las de seguimiento y cierre)`,
    );
  }
}

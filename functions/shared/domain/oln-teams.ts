/**
 * Each comuna's OLN team, as configuration (`functions/shared/config/oln-teams.json`), not code:
 * the caseload caps, the staff who may be assigned cases (by the `sub` of their tokens) and the
 * places each program of the social protection offer has for the comuna's referrals. An office
 * changes its own entry; the case feature reads it on every assignment and referral.
 */
import { z } from 'zod';
import raw from '../config/oln-teams.json';
import { hasOffice } from './oln-offices';

const subject = z.string().trim().min(1).max(128);

const teamSchema = z.strictObject({
  caps: z.strictObject({
    gestorCases: z.number().int().min(1).max(200),
    terapeutaFamilies: z.number().int().min(1).max(200),
  }),
  gestores: z.array(subject),
  terapeutas: z.array(subject),
  /** Places per program id of the case feature's catalogue. */
  programPlaces: z.record(z.string(), z.number().int().min(0)),
});
export type OlnTeam = z.infer<typeof teamSchema>;

const configSchema = z.object({ comunas: z.record(z.string().regex(/^\d{5}$/), teamSchema) });
export type OlnTeamsConfig = z.infer<typeof configSchema>;

/** Validates a teams configuration: comunas with an OLN office only, and nobody on two lists of one comuna. */
export function parseOlnTeams(value: unknown, where: string): OlnTeamsConfig {
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  for (const [cut, team] of Object.entries(parsed.data.comunas)) {
    if (!hasOffice(cut)) throw new Error(`${where}: comunas.${cut}: has no OLN office (oln-offices.json)`);
    const seen = new Set<string>();
    for (const s of [...team.gestores, ...team.terapeutas]) {
      if (seen.has(s)) throw new Error(`${where}: comunas.${cut}: ${s} is listed twice`);
      seen.add(s);
    }
  }
  return parsed.data;
}

export const OLN_TEAMS: OlnTeamsConfig = parseOlnTeams(raw, 'functions/shared/config/oln-teams.json');

/** The comuna's team, or undefined when the comuna has no OLN team configured. */
export function teamOf(comuna: string, config: OlnTeamsConfig = OLN_TEAMS): OlnTeam | undefined {
  return config.comunas[comuna];
}

/**
 * Which comunas have an Oficina Local de la Niñez, since when, and the interventions it can take a
 * year: configuration (`functions/shared/config/oln-offices.json`), not code. Ingest sends only
 * comunas with an office to scoring, so a nómina exists only where an office works from it; alerts
 * are raised in comunas with an office; the teams and capacity files configure only such comunas.
 * Opening an office is a new entry here, which the next cut picks up.
 */
import { z } from 'zod';
import raw from '../config/oln-offices.json';
import { findComuna } from './comunas';

const officeSchema = z.strictObject({
  /** The day the office opened (yyyy-mm-dd). */
  openedOn: z.iso.date({ error: 'debe ser una fecha aaaa-mm-dd' }),
  /** Interventions the office can take in a year. */
  yearlyInterventions: z.number().int().min(1).max(100_000),
});
export type OlnOffice = z.infer<typeof officeSchema>;

const configSchema = z.object({
  comunas: z.record(z.string().regex(/^\d{5}$/, 'a comuna is its five-digit CUT code'), officeSchema),
});
export type OlnOfficesConfig = z.infer<typeof configSchema>;

/** Validates an offices configuration: comunas of the official list only. */
export function parseOlnOffices(value: unknown, where: string): OlnOfficesConfig {
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  for (const cut of Object.keys(parsed.data.comunas)) {
    if (!findComuna(cut)) throw new Error(`${where}: comunas.${cut}: not a comuna of the official CUT list`);
  }
  return parsed.data;
}

export const OLN_OFFICES: OlnOfficesConfig = parseOlnOffices(raw, 'functions/shared/config/oln-offices.json');

/** Whether the comuna has an office (open on `on`, a yyyy-mm-dd day, when given). */
export function hasOffice(cut: string, on?: string, config: OlnOfficesConfig = OLN_OFFICES): boolean {
  const office = config.comunas[cut];
  return office !== undefined && (on === undefined || office.openedOn <= on);
}

/** The comunas with an office, in CUT order. */
export function officeComunas(config: OlnOfficesConfig = OLN_OFFICES): readonly string[] {
  return Object.keys(config.comunas).sort();
}

/**
 * OLN capacity per comuna: the share of the children on a comuna's roster that its Oficina Local de
 * la Niñez can take into intervention in a year. Configuration (`functions/shared/config/oln-capacity.json`), not
 * code: a comuna's office reports its own figure and the file changes, nothing else. The head of a
 * comuna's own roster at its own capacity is the selection the model is evaluated and audited on.
 */
import { z } from 'zod';
import raw from '../config/oln-capacity.json';
import { hasOffice } from './oln-offices';

const configSchema = z.object({
  comunas: z.record(
    z.string().regex(/^\d{5}$/, 'a comuna is its five-digit CUT code'),
    z.object({ share: z.number().gt(0).lte(0.5) }),
  ),
});

export type OlnCapacityConfig = z.infer<typeof configSchema>;

/** Validates a capacity configuration: only comunas with an OLN office appear. */
export function parseOlnCapacity(value: unknown, where: string): OlnCapacityConfig {
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  for (const cut of Object.keys(parsed.data.comunas))
    if (!hasOffice(cut)) throw new Error(`${where}: comunas.${cut}: has no OLN office (oln-offices.json)`);
  return parsed.data;
}

const CONFIG = parseOlnCapacity(raw, 'functions/shared/config/oln-capacity.json');

/**
 * The share a new office starts at until it reports its own: the pilot's, about 3,440 interventions
 * a year for some 200,000 children.
 */
export const STARTING_SHARE = 0.017;

/** The configured share of a comuna's roster its OLN can take in a year (a new office's: `STARTING_SHARE`). */
export function capacityShare(comuna: string, config: OlnCapacityConfig = CONFIG): number {
  const entry = config.comunas[comuna];
  if (entry) return entry.share;
  if (hasOffice(comuna)) return STARTING_SHARE;
  throw new Error(`comuna ${comuna} has no OLN office (functions/shared/config/oln-offices.json)`);
}

/** How many children of a roster of `children` the comuna's OLN can take: at least one when any. */
export function capacityFor(comuna: string, children: number, config: OlnCapacityConfig = CONFIG): number {
  if (!Number.isInteger(children) || children < 0)
    throw new Error(`children must be a whole number ≥ 0, got ${children}`);
  if (children === 0) return 0;
  return Math.min(children, Math.max(1, Math.round(children * capacityShare(comuna, config))));
}

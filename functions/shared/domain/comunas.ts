/**
 * Chile's comunas, with their official CUT codes (Código Único Territorial: five digits, the first
 * two the region, the first three the province), from the official list of all 346
 * (`functions/shared/reference/comunas-cut.json`). Which of them have an Oficina Local de la Niñez
 * is configuration (`oln-offices.ts`); the pilot's twelve are kept for the demo data and training.
 */
import reference from '../reference/comunas-cut.json';

export interface Comuna {
  readonly cut: string;
  readonly name: string;
  readonly provinceCut: string;
  readonly regionCut: string;
  readonly region: string;
}

/** Every comuna of Chile, in CUT order. */
export const COMUNAS: readonly Comuna[] = reference.comunas;

const BY_CUT = new Map(COMUNAS.map((c) => [c.cut, c]));

/** The twelve comunas of the SAN pilot (`comunas-piloto.csv` of the project's reference data). */
const PILOT_CUTS = [
  '01101',
  '04101',
  '05701',
  '06116',
  '07201',
  '08101',
  '09111',
  '11201',
  '13101',
  '13110',
  '13301',
  '16107',
] as const;

export const PILOT_COMUNAS: readonly Comuna[] = PILOT_CUTS.map((cut) => {
  const comuna = BY_CUT.get(cut);
  if (!comuna) throw new Error(`pilot comuna ${cut} is not in the official list`);
  return comuna;
});

/** A CUT code is five digits; some files drop the leading zero (`1101` for Iquique). */
export function normaliseCut(value: string): string | undefined {
  const text = value.trim();
  if (!/^\d{4,5}$/.test(text)) return undefined;
  return text.padStart(5, '0');
}

/** The comuna of a CUT code, if the official list has it. */
export function findComuna(cut: string): Comuna | undefined {
  return BY_CUT.get(cut);
}

/** Whether `cut` is the code of a comuna of Chile's official list. */
export function isKnownComuna(cut: string): boolean {
  return BY_CUT.has(cut);
}

/** The region code of a comuna: its CUT's first two digits. */
export function regionOf(cut: string): string {
  return cut.slice(0, 2);
}

/** A comuna as the API's answers name it: its CUT code and, when SAN knows it, its name. */
export interface ComunaRef {
  readonly code: string;
  readonly name: string | null;
}

export function comunaRef(code: string): ComunaRef {
  return { code, name: findComuna(code)?.name ?? null };
}

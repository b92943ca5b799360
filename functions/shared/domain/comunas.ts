/**
 * Comunas of the SAN pilot, with their official CUT codes (5 digits; the first two are the region).
 * Source: the project's reference list of pilot comunas.
 */

export interface Comuna {
  readonly cut: string;
  readonly name: string;
  readonly regionCut: string;
  readonly region: string;
}

export const PILOT_COMUNAS: readonly Comuna[] = [
  { cut: '01101', name: 'Iquique', regionCut: '01', region: 'Tarapacá' },
  { cut: '04101', name: 'La Serena', regionCut: '04', region: 'Coquimbo' },
  { cut: '05701', name: 'San Felipe', regionCut: '05', region: 'Valparaíso' },
  { cut: '06116', name: 'Requínoa', regionCut: '06', region: "Libertador General Bernardo O'Higgins" },
  { cut: '07201', name: 'Cauquenes', regionCut: '07', region: 'Maule' },
  { cut: '08101', name: 'Concepción', regionCut: '08', region: 'Biobío' },
  { cut: '09111', name: 'Nueva Imperial', regionCut: '09', region: 'La Araucanía' },
  { cut: '11201', name: 'Aysén', regionCut: '11', region: 'Aysén del General Carlos Ibáñez del Campo' },
  { cut: '13101', name: 'Santiago', regionCut: '13', region: 'Metropolitana de Santiago' },
  { cut: '13110', name: 'La Florida', regionCut: '13', region: 'Metropolitana de Santiago' },
  { cut: '13301', name: 'Colina', regionCut: '13', region: 'Metropolitana de Santiago' },
  { cut: '16107', name: 'Quillón', regionCut: '16', region: 'Ñuble' },
];

const BY_CUT = new Map(PILOT_COMUNAS.map((c) => [c.cut, c]));

/** A CUT code is five digits; some files drop the leading zero (`1101` for Iquique). */
export function normaliseCut(value: string): string | undefined {
  const text = value.trim();
  if (!/^\d{4,5}$/.test(text)) return undefined;
  return text.padStart(5, '0');
}

export function findComuna(cut: string): Comuna | undefined {
  return BY_CUT.get(cut);
}

/** A comuna as the API's answers name it: its CUT code and, when SAN knows it, its name. */
export interface ComunaRef {
  readonly code: string;
  readonly name: string | null;
}

export function comunaRef(code: string): ComunaRef {
  return { code, name: findComuna(code)?.name ?? null };
}

export function isPilotComuna(cut: string): boolean {
  return BY_CUT.has(cut);
}

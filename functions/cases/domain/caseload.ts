/**
 * Caseload caps of the SAN platform: a gestor de casos carries at most 40 active cases and a
 * terapeuta familiar at most 25 families (the children of one registry household are one family,
 * since the PAF and the therapy are per family). An assignment over a cap is refused with the cap and
 * the current load; the case then waits on the comuna's list (`waiting-list.ts`). The caps are given
 * per comuna by configuration; these are the platform's defaults. Plain functions over plain data.
 */

import type { CaseState } from './case-workflow';
import { FINAL_STATES } from './case-workflow';

export interface CaseloadCaps {
  /** Active cases one gestor de casos may carry. */
  readonly gestorCases: number;
  /** Families one terapeuta familiar may carry. */
  readonly terapeutaFamilies: number;
}

export const DEFAULT_CASELOAD_CAPS: CaseloadCaps = { gestorCases: 40, terapeutaFamilies: 25 };

/** What the caps read of a case. */
export interface CaseLoadItem {
  readonly caseId: string;
  readonly state: CaseState;
  /** The registry household's pseudonym: its children are one family. */
  readonly family: string;
  readonly gestor?: string;
  readonly terapeuta?: string;
}

/** A case counts against its workers' caps until it reaches egreso or is rejected. */
export function isActive(c: Pick<CaseLoadItem, 'state'>): boolean {
  return !FINAL_STATES.has(c.state);
}

/** Active cases a gestor carries. */
export function gestorLoad(cases: readonly CaseLoadItem[], gestor: string): number {
  return cases.filter((c) => isActive(c) && c.gestor === gestor).length;
}

/** Families a terapeuta carries: distinct households among their active cases. */
export function terapeutaLoad(cases: readonly CaseLoadItem[], terapeuta: string): Set<string> {
  return new Set(cases.filter((c) => isActive(c) && c.terapeuta === terapeuta).map((c) => c.family));
}

/** An assignment the caps refuse, with the cap and the worker's current load. */
export class CaseloadCapError extends Error {
  override readonly name = 'CaseloadCapError';
  constructor(
    readonly role: 'gestor_casos' | 'terapeuta_familiar',
    readonly worker: string,
    readonly cap: number,
    readonly load: number,
  ) {
    super(
      role === 'gestor_casos'
        ? `el gestor de casos ${worker} ya tiene ${load} casos activos y el tope es ${cap}; el caso puede quedar en la lista de espera`
        : `el terapeuta familiar ${worker} ya atiende ${load} familias y el tope es ${cap}; el caso puede quedar en la lista de espera`,
    );
  }
}

/**
 * Checks assigning `caseId` to a gestor and/or a terapeuta against the caps, given every case of the
 * comuna. A case the worker already carries does not count twice; a terapeuta taking a second child
 * of a family they already serve takes no new family.
 */
export function checkAssignment(
  cases: readonly CaseLoadItem[],
  target: Pick<CaseLoadItem, 'caseId' | 'family'>,
  assign: { readonly gestor?: string; readonly terapeuta?: string },
  caps: CaseloadCaps,
): void {
  const others = cases.filter((c) => c.caseId !== target.caseId);
  if (assign.gestor !== undefined) {
    const load = gestorLoad(others, assign.gestor);
    if (load + 1 > caps.gestorCases)
      throw new CaseloadCapError('gestor_casos', assign.gestor, caps.gestorCases, load);
  }
  if (assign.terapeuta !== undefined) {
    const families = terapeutaLoad(others, assign.terapeuta);
    if (!families.has(target.family) && families.size + 1 > caps.terapeutaFamilies) {
      throw new CaseloadCapError(
        'terapeuta_familiar',
        assign.terapeuta,
        caps.terapeutaFamilies,
        families.size,
      );
    }
  }
}

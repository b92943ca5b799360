/**
 * Who may do what, and where. Roles come from the SAN platform; every permission is scoped to the
 * comunas in the caller's token, so that no roster or personal data leaves its comuna's roles.
 */
import { COMUNAS, regionOf } from './comunas';

export const ROLES = [
  'coordinador',
  'gestor_casos',
  'terapeuta_familiar',
  'gestor_comunitario',
  'sectorialista',
  'coordinador_regional',
  'administrador_central',
] as const;

export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly subject: string;
  readonly role: Role;
  /** Comunas (CUT) the caller works in; `*` (every comuna) only for the roles in `ALL_COMUNAS_ROLES`. */
  readonly comunas: '*' | readonly string[];
  /**
   * Regions (the CUT's first two digits) whose every comuna the caller works in, besides `comunas`:
   * only for `REGION_ROLES`.
   */
  readonly regions?: readonly string[];
}

/** Roles whose token may name regions (`custom:regions`) as well as comunas. */
export const REGION_ROLES: readonly Role[] = ['coordinador_regional'];

/**
 * Roles whose token may name `*`: they oversee many comunas. OLN roles and sectorialistas work in
 * the comunas their token names, so a `*` on one of theirs is a mistake in the user's attributes,
 * refused rather than read as every comuna.
 */
export const ALL_COMUNAS_ROLES: readonly Role[] = ['coordinador_regional', 'administrador_central'];

/**
 * What is wrong with the comunas (and regions) a token gives `role`, in the user's words; undefined
 * if nothing.
 */
export function scopeProblem(
  role: Role,
  comunas: '*' | readonly string[],
  regions: readonly string[] = [],
): string | undefined {
  if (regions.length > 0) {
    if (!REGION_ROLES.includes(role)) {
      return `el rol ${role} no puede tener regiones (custom:regions); corresponde solo a ${REGION_ROLES.join(' y ')}`;
    }
    const bad = regions.find((r) => !/^\d{2}$/.test(r) || !COMUNAS.some((c) => c.regionCut === r));
    if (bad !== undefined) return `"${bad}" no es el código de una región de Chile (dos dígitos, p. ej. 13)`;
    if (comunas !== '*') return undefined;
  }
  if (comunas === '*') {
    return ALL_COMUNAS_ROLES.includes(role)
      ? undefined
      : `el rol ${role} debe indicar sus comunas (códigos CUT separados por comas en custom:comunas); ` +
          `"*" (todas las comunas) corresponde solo a ${ALL_COMUNAS_ROLES.join(' y ')}`;
  }
  return comunas.length === 0
    ? 'el token no indica ninguna comuna (custom:comunas); pida que se le asignen las suyas'
    : undefined;
}

const OLN_ROLES: readonly Role[] = [
  'coordinador',
  'gestor_casos',
  'terapeuta_familiar',
  'gestor_comunitario',
];

export type Action =
  | 'roster:read'
  | 'alert:create'
  | 'alert:read'
  | 'alert:manage'
  | 'notification:read'
  | 'quality:read'
  | 'drift:read'
  | 'model:read'
  | 'model:govern'
  | 'ingest:read'
  | 'identity:read'
  | 'accesslog:read'
  | 'case:read'
  | 'case:intake'
  | 'case:assign'
  | 'case:work'
  | 'intake:read';

const ALLOWED: Readonly<Record<Action, readonly Role[]>> = {
  'roster:read': [...OLN_ROLES, 'coordinador_regional', 'administrador_central'],
  'alert:create': [...OLN_ROLES, 'sectorialista', 'coordinador_regional', 'administrador_central'],
  // Of an alert handled in or raised in the comuna; whoever reported an alert may read it as well.
  'alert:read': [...OLN_ROLES, 'coordinador_regional', 'administrador_central'],
  'alert:manage': ['coordinador', 'gestor_casos', 'gestor_comunitario', 'coordinador_regional'],
  'notification:read': ['coordinador', 'coordinador_regional', 'administrador_central'],
  'quality:read': ['coordinador', 'coordinador_regional', 'administrador_central'],
  // The model's monitoring per comuna and cut: aggregate figures, no child's data.
  'drift:read': ['coordinador', 'coordinador_regional', 'administrador_central'],
  // The model registry: versions, states and their history; shadow reports per comuna are `drift:read`.
  'model:read': ['coordinador_regional', 'administrador_central'],
  // Registering, shadowing, approving, promoting and rolling back a model version.
  'model:govern': ['administrador_central'],
  'ingest:read': ['administrador_central'],
  // Personal data: only the roles that work with the family, in their own comunas.
  'identity:read': ['coordinador', 'gestor_casos', 'terapeuta_familiar'],
  // The audit trail of those reads, for an audit or a family's data-subject request: the ministry.
  'accesslog:read': ['administrador_central'],
  // Cases of the comuna. Who sees a case's whole record, and who only its summary (pseudonyms and
  // counts), is decided per case: the coordinador and the workers assigned to it see it whole.
  'case:read': [...OLN_ROLES, 'coordinador_regional', 'administrador_central'],
  // Accepting or discarding a child of the nómina, or entering one manually: the coordinador.
  'case:intake': ['coordinador'],
  'case:assign': ['coordinador'],
  // Moving a case and recording its work; which of these roles may do what is the case feature's
  // own table (`case-workflow.ts`, `case-operations.ts`), and a gestor or terapeuta only on their cases.
  'case:work': ['coordinador', 'gestor_casos', 'terapeuta_familiar'],
  // The intake queue (overdue entries included) and the comuna's override and discard rates.
  'intake:read': ['coordinador', 'coordinador_regional', 'administrador_central'],
};

/** The roles that hold `action` (each still limited to the comunas of its token). */
export function rolesAllowed(action: Action): readonly Role[] {
  return ALLOWED[action];
}

export function inComuna(principal: Principal, comuna: string): boolean {
  // `*` counts only for the roles allowed to hold it, wherever the principal came from.
  if (principal.comunas === '*') return ALL_COMUNAS_ROLES.includes(principal.role);
  if (principal.comunas.includes(comuna)) return true;
  // Regions likewise count only for the roles allowed to hold them.
  return (
    principal.regions !== undefined &&
    REGION_ROLES.includes(principal.role) &&
    principal.regions.includes(regionOf(comuna))
  );
}

/** Every comuna the principal works in: `*`, or its comunas and those of its regions. */
export function scopeComunas(principal: Principal): '*' | readonly string[] {
  if (principal.comunas === '*') return '*';
  if (!principal.regions?.length || !REGION_ROLES.includes(principal.role)) return principal.comunas;
  const regions = principal.regions;
  const inRegions = COMUNAS.filter((c) => regions.includes(c.regionCut)).map((c) => c.cut);
  return [...new Set([...principal.comunas, ...inRegions])];
}

/** Whether `principal` may perform `action` on data of `comuna`. */
export function isAllowed(principal: Principal, action: Action, comuna: string): boolean {
  return ALLOWED[action].includes(principal.role) && inComuna(principal, comuna);
}

/** Whether the role may use `action` at all, before any comuna is considered. */
export function roleMay(principal: Principal, action: Action): boolean {
  return ALLOWED[action].includes(principal.role);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

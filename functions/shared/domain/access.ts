/**
 * Who may do what, and where. Roles come from the SAN platform; every permission is scoped to the
 * comunas in the caller's token, so that no roster or personal data leaves its comuna's roles.
 */

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
  /** Comunas (CUT) the caller works in; `*` for national roles. */
  readonly comunas: '*' | readonly string[];
}

const OLN_ROLES: readonly Role[] = [
  'coordinador',
  'gestor_casos',
  'terapeuta_familiar',
  'gestor_comunitario',
];

export type Action = 'roster:read' | 'alert:create' | 'quality:read' | 'ingest:read' | 'identity:read';

const ALLOWED: Readonly<Record<Action, readonly Role[]>> = {
  'roster:read': [...OLN_ROLES, 'coordinador_regional', 'administrador_central'],
  'alert:create': [...OLN_ROLES, 'sectorialista', 'coordinador_regional', 'administrador_central'],
  'quality:read': ['coordinador', 'coordinador_regional', 'administrador_central'],
  'ingest:read': ['administrador_central'],
  // Personal data: only the roles that work with the family, in their own comunas.
  'identity:read': ['coordinador', 'gestor_casos', 'terapeuta_familiar'],
};

export function inComuna(principal: Principal, comuna: string): boolean {
  return principal.comunas === '*' || principal.comunas.includes(comuna);
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

/**
 * The risk model's governed life cycle, as data: the states a registered version goes through, the
 * transitions between them, who may make each and whether it needs a stated reason. A version is
 * registered (its file stored once it passed the scorer's integrity checks), put in shadow (scored
 * beside the deployed version without touching the roster), approved by an administrador_central,
 * and promoted to deployed; the version it replaces becomes the previous one, to which a rollback
 * returns. Every transition is recorded on the version with who made it, when and why.
 * Plain functions over plain data: no storage, no AWS.
 */
import type { Role } from '../../shared/domain/access';

export const MODEL_STATES = ['registered', 'shadow', 'approved', 'deployed', 'previous', 'retired'] as const;
export type ModelState = (typeof MODEL_STATES)[number];

/** Each state in the words of the people who read the registry. */
export const STATE_LABELS: Readonly<Record<ModelState, string>> = {
  registered: 'registrado',
  shadow: 'en sombra',
  approved: 'aprobado',
  deployed: 'desplegado',
  previous: 'anterior',
  retired: 'retirado',
};

export const MODEL_ACTIONS = ['bootstrap', 'register', 'shadow', 'approve', 'promote', 'rollback'] as const;
export type ModelAction = (typeof MODEL_ACTIONS)[number];

/** Who made a transition: a user of the API, or the system itself (the bootstrap). */
export interface Actor {
  readonly subject: string;
  readonly role: Role | 'sistema';
}

/** One recorded transition of a version. */
export interface HistoryEntry {
  readonly action: ModelAction | 'replaced' | 'superseded' | 'rolledBack';
  readonly from: ModelState | null;
  readonly to: ModelState;
  readonly by: Actor;
  readonly at: string;
  readonly reason: string | null;
}

/** What the registry keeps of one version. */
export interface ModelRecord {
  readonly version: string;
  readonly state: ModelState;
  /** SHA-256 (hex) of the stored file's bytes. */
  readonly fileSha256: string;
  readonly bytes: number;
  readonly trainedOn: string;
  /** The model's own card metrics, from its metadata. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly registeredAt: string;
  readonly history: readonly HistoryEntry[];
}

/** Every version by its name; at most one shadow or approved candidate, one deployed, one previous. */
export interface Registry {
  readonly versions: Readonly<Record<string, ModelRecord>>;
}

export const EMPTY_REGISTRY: Registry = { versions: {} };

/** A transition of the table below. */
export interface TransitionDef {
  /** The states a version may be in for the transition; null: a version not yet registered. */
  readonly from: readonly ModelState[] | null;
  readonly to: ModelState;
  /** Roles that may make it through the API; the bootstrap is the system's own. */
  readonly roles: readonly Role[];
  readonly reasonRequired: boolean;
  /** What the transition is, in Spanish, for error messages. */
  readonly label: string;
}

export const GOVERNING_ROLES: readonly Role[] = ['administrador_central'];

/** The life cycle, one row per action. */
export const TRANSITIONS: Readonly<Record<ModelAction, TransitionDef>> = {
  bootstrap: {
    from: null,
    to: 'deployed',
    roles: [],
    reasonRequired: false,
    label: 'registrar el modelo inicial',
  },
  register: {
    from: null,
    to: 'registered',
    roles: GOVERNING_ROLES,
    reasonRequired: false,
    label: 'registrar',
  },
  shadow: {
    from: ['registered', 'retired'],
    to: 'shadow',
    roles: GOVERNING_ROLES,
    reasonRequired: false,
    label: 'poner en sombra',
  },
  approve: {
    from: ['shadow'],
    to: 'approved',
    roles: GOVERNING_ROLES,
    reasonRequired: true,
    label: 'aprobar',
  },
  promote: {
    from: ['approved'],
    to: 'deployed',
    roles: GOVERNING_ROLES,
    reasonRequired: true,
    label: 'promover',
  },
  rollback: {
    from: ['previous'],
    to: 'deployed',
    roles: GOVERNING_ROLES,
    reasonRequired: true,
    label: 'volver a la versión anterior',
  },
};

export type ModelRegistryProblem = 'conflict' | 'not_found' | 'forbidden' | 'invalid';

/** A request the registry refuses; `problem` says which kind (an API maps it to its status). */
export class ModelRegistryError extends Error {
  override readonly name = 'ModelRegistryError';
  constructor(
    readonly problem: ModelRegistryProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The version in a state, if any (deployed, previous and the candidate are unique). */
export function versionIn(registry: Registry, ...states: readonly ModelState[]): ModelRecord | undefined {
  return Object.values(registry.versions).find((r) => states.includes(r.state));
}

/** The version scored in shadow: the one in shadow or approved, not yet promoted. */
export function candidateOf(registry: Registry): ModelRecord | undefined {
  return versionIn(registry, 'shadow', 'approved');
}

export function deployedOf(registry: Registry): ModelRecord | undefined {
  return versionIn(registry, 'deployed');
}

/** Who, when and why of a transition requested through the API or the CLI. */
export interface TransitionRequest {
  readonly by: Actor;
  readonly at: string;
  readonly reason?: string | undefined;
}

/** Refuses a request whose role may not make the transition, or that lacks a required reason. */
export function assertMayRequest(action: ModelAction, request: TransitionRequest): string | null {
  const def = TRANSITIONS[action];
  if (action !== 'bootstrap' && !def.roles.includes(request.by.role as Role)) {
    throw new ModelRegistryError(
      'forbidden',
      `el rol ${request.by.role} no puede ${def.label} una versión del modelo: solo ${def.roles.join(' o ')}`,
    );
  }
  const reason = request.reason?.trim() ?? '';
  if (def.reasonRequired && reason.length < 5) {
    throw new ModelRegistryError(
      'invalid',
      `para ${def.label} una versión del modelo hay que indicar el motivo (al menos 5 caracteres)`,
    );
  }
  return reason === '' ? null : reason;
}

function move(
  record: ModelRecord,
  to: ModelState,
  action: HistoryEntry['action'],
  request: TransitionRequest,
  reason: string | null,
): ModelRecord {
  return {
    ...record,
    state: to,
    history: [...record.history, { action, from: record.state, to, by: request.by, at: request.at, reason }],
  };
}

/** Refuses a version whose state does not allow the action, saying its state and what is needed. */
function assertFrom(action: ModelAction, record: ModelRecord | undefined, version: string): ModelRecord {
  const def = TRANSITIONS[action];
  if (!record) throw new ModelRegistryError('not_found', `la versión ${version} no está registrada`);
  if (!def.from?.includes(record.state)) {
    const needed = (def.from ?? []).map((s) => STATE_LABELS[s]).join(' o ');
    throw new ModelRegistryError(
      'conflict',
      `no se puede ${def.label} la versión ${version}: está ${STATE_LABELS[record.state]}, y para ${def.label} debe estar ${needed}`,
    );
  }
  return record;
}

function withRecords(registry: Registry, ...records: readonly ModelRecord[]): Registry {
  const versions = { ...registry.versions };
  for (const r of records) versions[r.version] = r;
  return { versions };
}

/** What a new version brings to the registry: its file's identity and its metadata. */
export type NewVersion = Omit<ModelRecord, 'state' | 'history' | 'registeredAt'>;

/**
 * Adds a version (registered, or deployed by the bootstrap). The same version with the same bytes
 * is already there and is returned unchanged; with other bytes it is refused.
 */
export function addVersion(
  registry: Registry,
  action: 'register' | 'bootstrap',
  version: NewVersion,
  request: TransitionRequest,
): Registry {
  const reason = assertMayRequest(action, request);
  const existing = registry.versions[version.version];
  if (existing) {
    if (existing.fileSha256 === version.fileSha256) return registry;
    throw new ModelRegistryError(
      'conflict',
      `la versión ${version.version} ya está registrada con otro archivo (SHA-256 ${existing.fileSha256.slice(0, 12)}…, este ${version.fileSha256.slice(0, 12)}…): una versión nombra un solo archivo; vuelva a entrenar para obtener una versión nueva`,
    );
  }
  if (action === 'bootstrap' && Object.keys(registry.versions).length > 0) {
    throw new ModelRegistryError('conflict', 'el registro de modelos ya tiene versiones: no se reinicia');
  }
  const to = TRANSITIONS[action].to;
  const record: ModelRecord = {
    ...version,
    state: to,
    registeredAt: request.at,
    history: [{ action, from: null, to, by: request.by, at: request.at, reason }],
  };
  return withRecords(registry, record);
}

/** Puts a version in shadow; a candidate already in shadow or approved goes back to registered. */
export function toShadow(registry: Registry, version: string, request: TransitionRequest): Registry {
  const reason = assertMayRequest('shadow', request);
  const record = assertFrom('shadow', registry.versions[version], version);
  const replaced = candidateOf(registry);
  const updates = [move(record, 'shadow', 'shadow', request, reason)];
  if (replaced) {
    updates.push(
      move(replaced, 'registered', 'replaced', request, `reemplazada en sombra por la versión ${version}`),
    );
  }
  return withRecords(registry, ...updates);
}

export function approve(registry: Registry, version: string, request: TransitionRequest): Registry {
  const reason = assertMayRequest('approve', request);
  const record = assertFrom('approve', registry.versions[version], version);
  return withRecords(registry, move(record, 'approved', 'approve', request, reason));
}

/** What promotion needs beyond the approval: the candidate's shadow reports on the current cut. */
export interface PromotionEvidence {
  /** The latest cut scored by the deployed version; undefined when nothing was scored yet. */
  readonly currentCut: string | undefined;
  /** Comunas scored on the current cut. */
  readonly scoredComunas: readonly string[];
  /** Comunas with a shadow report of the candidate on the current cut. */
  readonly reportedComunas: readonly string[];
}

/**
 * Deploys an approved version that has a shadow report on the current cut for every comuna scored
 * on it; the deployed version becomes the previous one, and the previous one is retired.
 */
export function promote(
  registry: Registry,
  version: string,
  request: TransitionRequest,
  evidence: PromotionEvidence,
): Registry {
  const reason = assertMayRequest('promote', request);
  const record = assertFrom('promote', registry.versions[version], version);
  if (!evidence.currentCut) {
    throw new ModelRegistryError(
      'conflict',
      `no se puede promover la versión ${version}: aún no se ha puntuado ningún corte, así que no hay informe en sombra del corte vigente`,
    );
  }
  const reported = new Set(evidence.reportedComunas);
  const missing = evidence.scoredComunas.filter((c) => !reported.has(c));
  if (reported.size === 0 || missing.length > 0) {
    throw new ModelRegistryError(
      'conflict',
      `no se puede promover la versión ${version}: falta su informe en sombra del corte vigente ${evidence.currentCut}${missing.length > 0 ? ` en las comunas ${missing.join(', ')}` : ''}; vuelva a puntuar el corte con la versión en sombra`,
    );
  }
  const updates = [move(record, 'deployed', 'promote', request, reason)];
  const deployed = deployedOf(registry);
  if (deployed) {
    updates.push(move(deployed, 'previous', 'superseded', request, `reemplazada por la versión ${version}`));
  }
  const previous = versionIn(registry, 'previous');
  if (previous) {
    updates.push(
      move(previous, 'retired', 'superseded', request, `retirada al promover la versión ${version}`),
    );
  }
  return withRecords(registry, ...updates);
}

/** Deploys the previous version again; the deployed one is retired. */
export function rollback(registry: Registry, request: TransitionRequest): Registry {
  const reason = assertMayRequest('rollback', request);
  const previous = versionIn(registry, 'previous');
  if (!previous) {
    const deployed = deployedOf(registry);
    throw new ModelRegistryError(
      'conflict',
      `no hay una versión anterior a la que volver${deployed ? ` (la versión desplegada ${deployed.version} no reemplazó a otra, o ya se volvió atrás)` : ''}`,
    );
  }
  const updates = [move(previous, 'deployed', 'rollback', request, reason)];
  const deployed = deployedOf(registry);
  if (deployed) updates.push(move(deployed, 'retired', 'rolledBack', request, reason));
  return withRecords(registry, ...updates);
}

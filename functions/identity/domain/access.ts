/**
 * Reading a child's personal data (RUN, names, address): the one place where it leaves the identity
 * store. Only an OLN role of the child's own comuna may read it, for a stated purpose, and only for
 * a child on that comuna's roster: the coordinador for any such child, a gestor de casos or a
 * terapeuta familiar only for a child of an open case assigned to them. Every request is written to the access log before anything is
 * answered — granted, denied, not found or refused for bad input — so that no look at personal
 * data goes unrecorded; if the log cannot be written, nothing is returned.
 */

import type { RosterStore } from '../../roster/domain/roster';
import type { Principal } from '../../shared/domain/access';
import { isAllowed } from '../../shared/domain/access';
import type { IdentityRecord, IdentityStore } from './identity';

/** Why the caller needs the data (Ley 21.719: purpose limitation). */
export const ACCESS_PURPOSES = [
  'contacto_familia',
  'evaluacion_caso',
  'derivacion',
  'verificacion_alerta',
] as const;
export type AccessPurpose = (typeof ACCESS_PURPOSES)[number];

/**
 * Sources by how far their personal data is trusted: the social registry (names and address as
 * the household declared them) first, what a reporter wrote in an alert last.
 */
const SOURCE_PRIORITY: readonly string[] = [
  'rsh',
  'proteccion',
  'registro_civil',
  'educacion',
  'salud',
  'policia',
  'privacion_libertad',
  'alerta',
];

const rank = (source: string): number => {
  const at = SOURCE_PRIORITY.indexOf(source);
  return at === -1 ? SOURCE_PRIORITY.length : at;
};

/**
 * A child's identity in one comuna from the records of every source: only records filed under
 * that comuna count; the RUN and the birth date each come from the most trusted record that has
 * them (a child an alert named without RUN has none), the names (all from the same
 * record) and the address each from the most trusted record that has them.
 */
export function identityIn(records: readonly IdentityRecord[], comuna: string): IdentityRecord | undefined {
  const ranked = records.filter((r) => r.comuna === comuna).sort((a, b) => rank(a.source) - rank(b.source));
  const first = ranked[0];
  if (!first) return undefined;
  const named = ranked.find((r) => r.givenNames !== undefined || r.paternalSurname !== undefined);
  const addressed = ranked.find((r) => r.address !== undefined);
  const withRun = ranked.find((r) => r.run !== undefined);
  const born = ranked.find((r) => r.birthDate !== undefined);
  const aged = ranked.find((r) => r.approximateAge !== undefined);
  const origin = named ?? first;
  return {
    childId: first.childId,
    ...(withRun?.run !== undefined ? { run: withRun.run } : {}),
    comuna,
    ...(named?.givenNames !== undefined ? { givenNames: named.givenNames } : {}),
    ...(named?.paternalSurname !== undefined ? { paternalSurname: named.paternalSurname } : {}),
    ...(named?.maternalSurname !== undefined ? { maternalSurname: named.maternalSurname } : {}),
    ...(addressed?.address !== undefined ? { address: addressed.address } : {}),
    ...(born?.birthDate !== undefined ? { birthDate: born.birthDate } : {}),
    ...(born === undefined && aged?.approximateAge !== undefined
      ? { approximateAge: aged.approximateAge }
      : {}),
    source: origin.source,
    cut: origin.cut,
  };
}

/**
 * `denied`: the caller may not read it (role, comuna, or a token refused at the edge);
 * `not_found`: no such child on the comuna's roster; `invalid_request`: a parameter was not valid.
 */
export type AccessOutcome = 'granted' | 'denied' | 'not_found' | 'invalid_request';

/** The log's partition for a request that named no valid child pseudonym. */
export const UNNAMED_CHILD = '#none';

export interface AccessLogEntry {
  /** The pseudonym asked for, or `UNNAMED_CHILD` when the request named no valid one. */
  readonly childId: string;
  /** ISO time, then the request id: unique and in time order per child. */
  readonly at: string;
  /** Absent only when the token carried no subject (or role). */
  readonly subject?: string;
  readonly role?: string;
  /** The comuna asked for; absent when it was not a valid CUT code. */
  readonly comuna?: string;
  /** Absent when none of the purposes was given. */
  readonly purpose?: AccessPurpose;
  readonly outcome: AccessOutcome;
  readonly requestId: string;
  /** For a request refused before it was looked at: the error code of the refusal. */
  readonly reason?: string;
  /** For a request refused for bad input: the names of the bad parameters, never their values. */
  readonly invalid?: readonly string[];
}

export interface AccessLog {
  record(entry: AccessLogEntry): Promise<void>;
}

/** Which entries of the access log to read: one child's, or one user's, within days. */
export interface AccessLogQuery {
  readonly by: { readonly childId: string } | { readonly subject: string };
  /** First and last day (yyyy-mm-dd, UTC), both included; absent: from the first, up to the last. */
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface AccessLogPage {
  /** Oldest first. */
  readonly entries: readonly AccessLogEntry[];
  readonly nextCursor?: string;
}

/** Reads the access log for an audit or a data-subject request (Ley 21.719). */
export interface AccessLogReader {
  query(query: AccessLogQuery): Promise<AccessLogPage>;
}

/** The bounds of `at` (ISO time, then `#` and the request id) for days `from` to `to`, both included. */
export function accessLogRange(
  from: string | undefined,
  to: string | undefined,
): { low: string; high: string } {
  return { low: from ?? '0000-01-01', high: `${to ?? '9999-12-31'}T\uffff` };
}

/** A case of the child as identity needs it: where, whether it is still open, and its workers. */
export interface ChildCaseWorkers {
  readonly comuna: string;
  readonly active: boolean;
  readonly gestor?: string;
  readonly terapeuta?: string;
}

/** The child's cases, from the case feature's store. */
export interface CaseAssignments {
  casesOfChild(childId: string): Promise<readonly ChildCaseWorkers[]>;
}

/** Roles that read a family's personal data only when one of the child's open cases is theirs. */
const CASE_WORKER_ROLES = new Set(['gestor_casos', 'terapeuta_familiar']);

/** Whether `subject` works an open case of the child in `comuna` (as its gestor or its terapeuta). */
export function assignedToChild(
  cases: readonly ChildCaseWorkers[],
  principal: Pick<Principal, 'subject' | 'role'>,
  comuna: string,
): boolean {
  return cases.some(
    (c) =>
      c.active &&
      c.comuna === comuna &&
      ((principal.role === 'gestor_casos' && c.gestor === principal.subject) ||
        (principal.role === 'terapeuta_familiar' && c.terapeuta === principal.subject)),
  );
}

export interface IdentityAccessDeps {
  readonly roster: Pick<RosterStore, 'get'>;
  readonly cases: CaseAssignments;
  readonly identities: Pick<IdentityStore, 'recordsOf'>;
  readonly log: AccessLog;
  readonly now?: () => Date;
}

export interface IdentityRequest {
  readonly principal: Principal;
  readonly comuna: string;
  readonly childId: string;
  readonly purpose: AccessPurpose;
  readonly requestId: string;
}

export type IdentityAnswer =
  | { readonly outcome: 'granted'; readonly identity: IdentityRecord }
  | { readonly outcome: 'denied' | 'not_found'; readonly message: string };

/** Roles that work with the family itself; regional and national roles see pseudonyms only. */
export function mayReadIdentity(principal: Principal, comuna: string): boolean {
  return principal.comunas !== '*' && isAllowed(principal, 'identity:read', comuna);
}

const entryTime = (deps: Pick<IdentityAccessDeps, 'now'>, requestId: string): string =>
  `${(deps.now ?? (() => new Date()))().toISOString()}#${requestId}`;

/**
 * A request refused before anything was looked up: a token the edge refused or a parameter that
 * was not valid. Only what was valid is written (a RUN typed where the pseudonym goes never
 * reaches the log); the caller answers the refusal only once this has been recorded.
 */
export interface RefusedRequest {
  readonly requestId: string;
  readonly outcome: 'denied' | 'invalid_request';
  readonly reason: string;
  readonly subject?: string;
  readonly role?: string;
  readonly comuna?: string;
  readonly childId?: string;
  readonly purpose?: AccessPurpose;
  readonly invalid?: readonly string[];
}

export async function recordRefusedRequest(
  deps: Pick<IdentityAccessDeps, 'log' | 'now'>,
  request: RefusedRequest,
): Promise<void> {
  const { childId, requestId, invalid, ...rest } = request;
  await deps.log.record({
    ...rest,
    childId: childId ?? UNNAMED_CHILD,
    at: entryTime(deps, requestId),
    requestId,
    ...(invalid && invalid.length > 0 ? { invalid } : {}),
  });
}

export async function readIdentity(
  deps: IdentityAccessDeps,
  request: IdentityRequest,
): Promise<IdentityAnswer> {
  const { principal, comuna, childId } = request;
  const record = (outcome: AccessOutcome): Promise<void> =>
    deps.log.record({
      childId,
      at: entryTime(deps, request.requestId),
      subject: principal.subject,
      role: principal.role,
      comuna,
      purpose: request.purpose,
      outcome,
      requestId: request.requestId,
    });
  if (!mayReadIdentity(principal, comuna)) {
    await record('denied');
    return {
      outcome: 'denied',
      message: `el rol ${principal.role} no puede leer datos personales de niños de la comuna ${comuna}`,
    };
  }
  // A gestor or terapeuta reads only the families of the cases assigned to them.
  if (CASE_WORKER_ROLES.has(principal.role)) {
    const cases = await deps.cases.casesOfChild(childId);
    if (!assignedToChild(cases, principal, comuna)) {
      await record('denied');
      return {
        outcome: 'denied',
        message: `el rol ${principal.role} lee datos personales solo de los niños de casos abiertos asignados a usted`,
      };
    }
  }
  const [onRoster, records] = await Promise.all([
    deps.roster.get(comuna, childId),
    deps.identities.recordsOf(childId),
  ]);
  const identity = identityIn(records, comuna);
  // A child of another comuna answers exactly like an unknown one: existence is not disclosed.
  if (!onRoster || !identity) {
    await record('not_found');
    // One message for both, true of each: a provisional entry raised by an alert that named no one
    // is on the roster without personal data.
    return {
      outcome: 'not_found',
      message: `el niño ${childId} no está en la nómina de la comuna ${comuna} o no tiene datos personales registrados en ella`,
    };
  }
  await record('granted');
  return { outcome: 'granted', identity };
}

/**
 * The demo users of the local system, one per role the platform defines, and the `curl` examples
 * the start banner prints. Tokens are signed with the local key, so the gateway checks them like
 * Cognito tokens; in `--auth token` mode every example carries one, since a request without a
 * token is answered 401 there.
 */
import type { Action, Role } from '../functions/shared/domain/access';
import { ROLES } from '../functions/shared/domain/access';
import { PILOT_COMUNAS } from '../functions/shared/domain/comunas';
import type { AuthMode } from './auth';
import { signToken } from './auth';

export interface DemoUser {
  readonly role: Role;
  readonly subject: string;
  /** CUT codes, or `*` for the national role. */
  readonly comunas: '*' | readonly string[];
}

const SANTIAGO = '13101';
const METROPOLITANA = PILOT_COMUNAS.filter((c) => c.regionCut === '13').map((c) => c.cut);

/** A demo user's comunas: Santiago for comuna roles, the Metropolitana for the regional one. */
export function demoComunas(role: Role): '*' | readonly string[] {
  if (role === 'administrador_central') return '*';
  if (role === 'coordinador_regional') return METROPOLITANA;
  return [SANTIAGO];
}

/** One demo user per role of `ROLES`, so that a new role gets its token without a change here. */
export const DEMO_USERS: readonly DemoUser[] = ROLES.map((role) => ({
  role,
  subject: `demo-${role}`,
  comunas: demoComunas(role),
}));

/** A token for `user`, signed with the local key (8 hours). */
export function demoToken(jwtKey: string, user: DemoUser): string {
  return signToken(jwtKey, {
    sub: user.subject,
    'custom:role': user.role,
    'custom:comunas': user.comunas === '*' ? '*' : user.comunas.join(','),
  });
}

export interface BannerExample {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  /** The demo user whose token the example carries; none for a tokenless demo-mode example. */
  readonly user?: DemoUser;
  /** What the request does, for the test that each example is allowed. */
  readonly action: Action;
  readonly comuna: string;
}

const ALERT_BODY = JSON.stringify({
  run: '22.222.222-2',
  comuna: SANTIAGO,
  riskFactor: 'situacion_de_calle',
  description: 'Niño visto pernoctando en la plaza',
  urgent: true,
  reporter: { institution: 'CESFAM Santiago' },
});

function userOf(role: Role): DemoUser {
  return DEMO_USERS.find((u) => u.role === role) as DemoUser;
}

/** The banner's examples: with a token each in `token` mode; in `demo` mode tokenless ones too. */
export function bannerExamples(auth: AuthMode): BannerExample[] {
  const roster = {
    method: 'GET',
    path: `/v1/comunas/${SANTIAGO}/roster?limit=5`,
    action: 'roster:read',
  } as const;
  const alert = { method: 'POST', path: '/v1/alerts', body: ALERT_BODY, action: 'alert:create' } as const;
  const intake = {
    method: 'GET',
    path: `/v1/comunas/${SANTIAGO}/intake?status=pendiente`,
    action: 'intake:read',
  } as const;
  const withTokens: BannerExample[] = [
    { ...roster, user: userOf('coordinador'), comuna: SANTIAGO },
    { ...intake, user: userOf('coordinador'), comuna: SANTIAGO },
    { ...alert, user: userOf('sectorialista'), comuna: SANTIAGO },
  ];
  return auth === 'token' ? withTokens : [{ ...roster, comuna: SANTIAGO }, ...withTokens];
}

/** A `curl` line for an example, its demo user's token written out so that it runs as pasted. */
export function curlOf(apiUrl: string, example: BannerExample, jwtKey: string): string {
  const parts = ['curl'];
  if (example.method !== 'GET') parts.push(`-X ${example.method}`);
  if (example.user) parts.push(`-H 'Authorization: Bearer ${demoToken(jwtKey, example.user)}'`);
  if (example.body !== undefined) parts.push(`-H 'content-type: application/json' -d '${example.body}'`);
  parts.push(`'${apiUrl}${example.path}'`);
  return parts.join(' ');
}

/** The shell variable a role's token is exported as in the banner: `TOKEN_COORDINADOR_REGIONAL`. */
export function tokenVariable(role: Role): string {
  return `TOKEN_${role.toUpperCase()}`;
}

/** The banner's closing lines: a token per demo user (as a shell export), then the examples. */
export function bannerLines(apiUrl: string, auth: AuthMode, jwtKey: string): string[] {
  const lines = ['', 'demo users (tokens valid 8 h; another: npm run -s san -- token <rol> [comunas]):'];
  for (const user of DEMO_USERS) {
    const scope = user.comunas === '*' ? 'todas las comunas' : user.comunas.join(',');
    lines.push(`  # ${user.role} (${scope})`);
    lines.push(`  export ${tokenVariable(user.role)}=${demoToken(jwtKey, user)}`);
  }
  lines.push('', 'ready. Try:');
  for (const example of bannerExamples(auth)) lines.push(`  ${curlOf(apiUrl, example, jwtKey)}`);
  lines.push('Ctrl-C stops.');
  return lines;
}

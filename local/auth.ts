/**
 * Local stand-in for API Gateway's JWT authorizer: HS256 tokens signed with a key kept in the local
 * data folder, carrying the same claims (`sub`, `custom:role`, `custom:comunas`) as the cloud's
 * Cognito tokens. In `demo` mode a request without a token acts as a demo national administrator,
 * so that the roster can be browsed with plain curl on loopback; `token` mode requires a token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type AuthMode = 'demo' | 'token';
export type Claims = Record<string, string | number>;

export const DEMO_CLAIMS: Claims = {
  sub: 'demo-local',
  'custom:role': 'administrador_central',
  'custom:comunas': '*',
};

export async function loadOrCreateKey(dataDir: string, name: string, bytes = 32): Promise<string> {
  const path = join(dataDir, name);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const key = randomBytes(bytes).toString('hex');
    await writeFile(path, `${key}\n`, { mode: 0o600 });
    return key;
  }
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signToken(key: string, claims: Claims, ttlSeconds = 8 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, iat: now, exp: now + ttlSeconds, iss: 'san-local' })}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** The token's claims, or a reason why it is refused. */
export function verifyToken(
  key: string,
  token: string,
): { ok: true; claims: Claims } | { ok: false; reason: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed token' };
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed token' };
  }
  if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'malformed token' };
  const exp = (claims as Claims).exp;
  if (typeof exp !== 'number' || exp < Date.now() / 1000) return { ok: false, reason: 'token expired' };
  return { ok: true, claims: claims as Claims };
}

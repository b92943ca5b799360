/**
 * The start banner's demo users and examples, sent through the local gateway as printed: every
 * role has a token whose claims the platform accepts, and in `--auth token` mode no example goes
 * without one (the gateway answers 401 to a request without a token there).
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { principalOf } from '../../../functions/shared/adapters/http';
import { isAllowed, ROLES, scopeProblem } from '../../../functions/shared/domain/access';
import type { AuthMode } from '../../../local/auth';
import { verifyToken } from '../../../local/auth';
import { bannerExamples, bannerLines, curlOf, DEMO_USERS, demoToken } from '../../../local/demo-users';
import { startHttpGateway } from '../../../local/http-gateway';

const key = randomBytes(32).toString('hex');

/** Sends each banner example to a gateway whose functions record the event they receive. */
async function sendExamples(
  auth: AuthMode,
): Promise<{ status: number; event?: APIGatewayProxyEventV2WithJWTAuthorizer }[]> {
  const events: APIGatewayProxyEventV2WithJWTAuthorizer[] = [];
  const gateway = await startHttpGateway({
    port: 0,
    auth,
    jwtKey: key,
    log: () => {},
    invoke: async (_id, event) => {
      events.push(event as APIGatewayProxyEventV2WithJWTAuthorizer);
      return { statusCode: 200, body: '{}' };
    },
  });
  try {
    const results = [];
    for (const example of bannerExamples(auth)) {
      const before = events.length;
      const response = await fetch(`${gateway.url}${example.path}`, {
        method: example.method,
        headers: {
          ...(example.user ? { authorization: `Bearer ${demoToken(key, example.user)}` } : {}),
          ...(example.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(example.body ? { body: example.body } : {}),
      });
      results.push({ status: response.status, event: events.length > before ? events.at(-1) : undefined });
    }
    return results;
  } finally {
    await gateway.close();
  }
}

describe('demo users', () => {
  it('has one user per role the platform defines, each token verifying with claims its role may hold', () => {
    expect(DEMO_USERS.map((u) => u.role)).toEqual([...ROLES]);
    for (const user of DEMO_USERS) {
      const verified = verifyToken(key, demoToken(key, user));
      expect(verified.ok).toBe(true);
      if (!verified.ok) continue;
      expect(verified.claims['custom:role']).toBe(user.role);
      expect(scopeProblem(user.role, user.comunas)).toBeUndefined();
    }
  });

  it('prints an export line with a valid token for every role', () => {
    const lines = bannerLines('http://127.0.0.1:3000', 'demo', key);
    for (const role of ROLES) {
      const line = lines.find((l) => l.includes(`export TOKEN_${role.toUpperCase()}=`));
      const token = line?.split('=')[1] ?? '';
      expect(verifyToken(key, token).ok).toBe(true);
    }
  });
});

describe('banner examples', () => {
  it('in token mode, every curl line carries a token and every example reaches its function, allowed', async () => {
    const curls = bannerLines('http://127.0.0.1:3000', 'token', key).filter((l) => l.includes('curl '));
    expect(curls.length).toBeGreaterThan(0);
    for (const line of curls) expect(line).toContain("-H 'Authorization: Bearer ey");

    const results = await sendExamples('token');
    const examples = bannerExamples('token');
    results.forEach((result, i) => {
      const example = examples[i];
      expect(result.status).toBe(200);
      expect(result.event).toBeDefined();
      if (!result.event || !example) return;
      expect(isAllowed(principalOf(result.event), example.action, example.comuna)).toBe(true);
    });
  });

  it('in demo mode, the tokenless examples too reach their function as the demo administrator', async () => {
    expect(bannerExamples('demo').some((e) => !e.user)).toBe(true);
    for (const result of await sendExamples('demo')) expect(result.status).toBe(200);
  });

  it('writes the token into the curl line so that it runs as pasted', () => {
    const [example] = bannerExamples('token');
    if (!example?.user) throw new Error('expected a token example');
    const token = /Bearer ([\w.-]+)'/.exec(curlOf('http://h', example, key))?.[1] ?? '';
    const verified = verifyToken(key, token);
    expect(verified.ok && verified.claims['custom:role']).toBe(example.user.role);
  });
});

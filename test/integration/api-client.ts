/**
 * A client of the local system's HTTP API for integration tests: signs a development token for the
 * role, comunas and subject asked, sends JSON, and holds every answer to docs/openapi.json before
 * handing it back.
 */
import { signToken } from '../../local/auth';
import type { LocalSystem } from '../../local/runtime';
import { checkAgainstDocument } from './api-contract';

export interface Caller {
  readonly role: string;
  /** CUT codes separated by commas; the client's default comuna when absent. */
  readonly comunas?: string;
  readonly sub?: string;
}

export interface ApiAnswer {
  readonly status: number;
  // The body was held to its schema in docs/openapi.json; the tests read it as that.
  // biome-ignore lint/suspicious/noExplicitAny: a validated answer, read field by field
  readonly body: Record<string, any>;
  readonly etag: string;
}

export type Api = (
  path: string,
  as: Caller,
  init?: { method?: string; body?: unknown; ifMatch?: string },
) => Promise<ApiAnswer>;

/** The client of `system()` (read on each call: the system starts after the tests are declared). */
export function apiClient(system: () => LocalSystem, defaultComuna: string): Api {
  return async (path, as, init = {}) => {
    const local = system();
    const headers: Record<string, string> = {
      authorization: `Bearer ${signToken(local.jwtKey, {
        sub: as.sub ?? `demo-${as.role}`,
        'custom:role': as.role,
        'custom:comunas': as.comunas ?? defaultComuna,
      })}`,
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.ifMatch !== undefined) headers['if-match'] = init.ifMatch;
    const response = await fetch(`${local.apiUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    checkAgainstDocument(init.method ?? 'GET', `${local.apiUrl}${path}`, response.status, body);
    return { status: response.status, body, etag: response.headers.get('etag') ?? '' };
  };
}

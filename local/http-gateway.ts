/**
 * Local stand-in for API Gateway v2 (HTTP API, payload format 2.0): matches the routes the system
 * definition declares, authorises the caller like the JWT authorizer, and invokes the route's
 * function with the event API Gateway would send (a route its table marks `public` without a
 * token, as the stack declares it). Unknown routes answer 404 and oversized bodies 413, as API
 * Gateway does, without reaching a function.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FunctionId, HttpMethod } from '../infra/system';
import { entriesOf, system } from '../infra/system';
import type { AuthMode } from './auth';
import { DEMO_CLAIMS, verifyToken } from './auth';

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

interface Route {
  readonly functionId: FunctionId;
  readonly method: HttpMethod;
  readonly path: string;
  readonly public: boolean;
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

export function routesOfSystem(): Route[] {
  return entriesOf(system.functions).flatMap(([functionId, def]) =>
    def.triggers.flatMap((t) =>
      t.type === 'http'
        ? t.routes.map((r) => {
            const params: string[] = [];
            const pattern = new RegExp(
              `^${r.path.replace(/\{(\w+)\}/g, (_, name: string) => {
                params.push(name);
                return '([^/]+)';
              })}$`,
            );
            return {
              functionId,
              method: r.method,
              path: r.path,
              public: r.access === 'public',
              pattern,
              params,
            };
          })
        : [],
    ),
  );
}

export interface GatewayOptions {
  readonly port: number;
  readonly auth: AuthMode;
  readonly jwtKey: string;
  readonly invoke: (functionId: FunctionId, event: unknown) => Promise<unknown>;
  readonly log: (line: string) => void;
  /** Extra handlers tried before the API routes (the dashboard); return true when handled. */
  readonly extra?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

export async function startHttpGateway(
  options: GatewayOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const routes = routesOfSystem();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log(`gateway: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    if (options.extra && (await options.extra(req, res, url))) return;
    if (method === 'GET' && url.pathname === '/') {
      send(res, 200, {
        service: 'Sistema de Alerta Niñez (local)',
        routes: routes.map((r) => `${r.method} ${r.path}`),
        auth: options.auth,
      });
      return;
    }
    const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (!route) {
      const known = routes.some((r) => r.pattern.test(url.pathname));
      send(res, known ? 405 : 404, { message: known ? 'Method Not Allowed' : 'Not Found' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        send(res, 413, { message: 'Request Entity Too Large' });
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const authz = req.headers.authorization;
    let claims: Record<string, string | number>;
    if (route.public) {
      claims = {};
    } else if (authz) {
      const token = /^Bearer\s+(.+)$/i.exec(authz)?.[1];
      const verified = token
        ? verifyToken(options.jwtKey, token)
        : { ok: false as const, reason: 'not a bearer token' };
      if (!verified.ok) {
        send(res, 401, { message: 'Unauthorized', reason: verified.reason });
        return;
      }
      claims = verified.claims;
    } else if (options.auth === 'demo') {
      claims = DEMO_CLAIMS;
    } else {
      send(res, 401, { message: 'Unauthorized' });
      return;
    }
    const match = route.pattern.exec(url.pathname);
    const pathParameters: Record<string, string> = {};
    try {
      route.params.forEach((name, i) => {
        pathParameters[name] = decodeURIComponent(match?.[i + 1] ?? '');
      });
    } catch {
      send(res, 400, { message: 'Bad Request', reason: 'malformed percent-encoding in the path' });
      return;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const body = Buffer.concat(chunks);
    const now = new Date();
    const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      ...(route.params.length > 0 ? { pathParameters } : {}),
      ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: `${route.method} ${route.path}`,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        authorizer: {
          principalId: '',
          integrationLatency: 0,
          jwt: { claims, scopes: [] },
        },
      },
    };
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = (await options.invoke(route.functionId, event)) as APIGatewayProxyStructuredResultV2;
    } catch {
      send(res, 500, { message: 'Internal Server Error' });
      return;
    }
    const status = result.statusCode ?? 200;
    const outHeaders = { ...(result.headers ?? {}) } as Record<string, string>;
    const payload = result.isBase64Encoded
      ? Buffer.from(result.body ?? '', 'base64')
      : Buffer.from(result.body ?? '');
    res.writeHead(status, { ...outHeaders, 'content-length': String(payload.length) });
    res.end(payload);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

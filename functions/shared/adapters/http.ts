/**
 * HTTP edge for API Gateway v2 (payload 2.0): JSON responses, the caller's principal from the JWT
 * authorizer's claims, body and parameter validation, and error mapping that never sends a stack
 * trace to a client.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { z } from 'zod';
import type { ParsedRequest, ResponseBody, RouteDef } from '../api/route';
import type { Principal } from '../domain/access';
import { isRole, scopeProblem } from '../domain/access';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export interface ProblemDetail {
  readonly path: string;
  readonly message: string;
}

/** An error meant for the client: its status, a stable code and a message that says what is wrong. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: readonly ProblemDetail[],
    /** Further fields of the error body (`allowed`, `missing`, `currentVersion`, …). */
    readonly extra: Readonly<Record<string, unknown>> = {},
    /** Headers of the answer (an `ETag` when the refusal changed the resource). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The caller as the JWT authorizer saw it; 401 when there are no usable claims, 403 when the role
 * is not a SAN role or its comunas are not ones it may hold (see `scopeProblem`).
 */
export function principalOf(event: HttpEvent): Principal {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const subject = claims.sub;
  const role = claims['custom:role'];
  const regionClaim = claims['custom:regions'];
  // A coordinador regional may be scoped by regions alone.
  const comunas = claims['custom:comunas'] ?? (typeof regionClaim === 'string' ? '' : undefined);
  if (typeof subject !== 'string' || typeof role !== 'string' || typeof comunas !== 'string') {
    throw new HttpError(
      401,
      'unauthenticated',
      'la solicitud no trae una identidad SAN válida (sub, rol y comunas)',
    );
  }
  if (!isRole(role)) throw new HttpError(403, 'unknown_role', `el rol "${role}" no es un rol de SAN`);
  const list = comunas.trim() === '*' ? '*' : comunas.split(/[\s,]+/).filter((c) => c !== '');
  const regions = typeof regionClaim === 'string' ? regionClaim.split(/[\s,]+/).filter((r) => r !== '') : [];
  const problem = scopeProblem(role, list, regions);
  if (problem) throw new HttpError(403, 'invalid_scope', problem);
  return { subject, role, comunas: list, ...(regions.length > 0 ? { regions } : {}) };
}

/**
 * The subject and role a token claims, read as text without any check (at most 128 characters
 * each), for recording who made a request that `principalOf` refused.
 */
export function claimedIdentity(event: HttpEvent): { subject?: string; role?: string } {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value.slice(0, 128) : undefined;
  const subject = text(claims.sub);
  const role = text(claims['custom:role']);
  return { ...(subject !== undefined ? { subject } : {}), ...(role !== undefined ? { role } : {}) };
}

/**
 * Parses the JSON body against `schema`: 415 unless the body is declared as JSON in UTF-8
 * (`application/json`, with or without `charset=utf-8`; a body without a content type is refused
 * too), 400 with every problem listed when it does not fit.
 */
export function parseBody<S extends z.ZodType>(event: HttpEvent, schema: S): z.infer<S> {
  if (!event.body)
    throw new HttpError(400, 'missing_body', 'la solicitud no trae cuerpo; se espera un objeto JSON');
  const mediaProblem = jsonMediaTypeProblem(headerOf(event, 'content-type'));
  if (mediaProblem) throw new HttpError(415, 'unsupported_media_type', mediaProblem);
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8's message quotes part of the body, which may hold personal data: keep only the position.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new HttpError(
      400,
      'invalid_json',
      `el cuerpo no es JSON válido${position ? ` (en la posición ${position})` : ''}`,
    );
  }
  return parseWith(schema, data, 'body');
}

/** A header's value, whatever the case of its name (API Gateway v2 sends them in lower case). */
export function headerOf(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The ETag of a version: `"<version>"`. */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * The version named by `If-Match` (`"<version>"`, a weak `W/` prefix accepted) for a change of
 * `what` (e.g. "del caso"): 428 without one, 400 for anything else, so that no change is written
 * over a version its author did not read.
 */
export function ifMatchVersion(event: HttpEvent, what: string): number {
  const value = headerOf(event, 'if-match');
  if (value === undefined || value.trim() === '') {
    throw new HttpError(
      428,
      'precondition_required',
      `indique en If-Match la versión ${what} que leyó (su ETag); así ningún cambio pisa el de otra persona`,
    );
  }
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(value.trim());
  if (!match) {
    const message = `If-Match debe ser el ETag ${what}, p. ej. "3"`;
    throw new HttpError(400, 'validation_failed', message, [{ path: 'header.if-match', message }]);
  }
  return Number(match[1]);
}

/** A media type or charset shown back only when it is a plain token, never arbitrary header text. */
const TOKEN = /^[A-Za-z0-9!#$&^_.+-]{1,64}(?:\/[A-Za-z0-9!#$&^_.+-]{1,64})?$/;

/** Why `contentType` does not declare a JSON body in UTF-8, in the caller's words; undefined if it does. */
export function jsonMediaTypeProblem(contentType: string | undefined): string | undefined {
  const expected = 'envíe el cuerpo como JSON con la cabecera Content-Type: application/json';
  if (contentType === undefined || contentType.trim() === '') {
    return `la solicitud no declara el tipo de su cuerpo; ${expected}`;
  }
  const [type = '', ...parameters] = contentType.split(';').map((p) => p.trim());
  if (type.toLowerCase() !== 'application/json') {
    const shown = TOKEN.test(type) ? ` (se recibió ${type})` : '';
    return `el cuerpo no está declarado como JSON${shown}; ${expected}`;
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=').map((p) => p.trim());
    if (name.toLowerCase() !== 'charset') continue;
    const charset = value.replace(/^"(.*)"$/, '$1');
    if (charset.toLowerCase() !== 'utf-8') {
      const shown = TOKEN.test(charset) ? ` (se recibió charset=${charset})` : '';
      return `el cuerpo JSON debe venir en UTF-8${shown}; use Content-Type: application/json; charset=utf-8`;
    }
  }
  return undefined;
}

/** A key shown back in a problem's path only when it is written like a field name. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** zod's own messages in Spanish, for the problems a schema gives no message of its own. */
const SPANISH = z.locales.es().localeError;

/** Validates a body, path or query parameters; 400 naming each bad one, in Spanish. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(data, { error: SPANISH });
  if (!result.success) {
    // An unknown key is named by its own path, so that a nested one is as easy to find as the rest;
    // a key that does not read like a field name (it might be personal data) is not repeated.
    const details = result.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((key) => ({
            path: [where, ...i.path, FIELD_NAME.test(key) ? key : '(clave no reconocida)'].join('.'),
            message: 'campo no reconocido: quítelo o corrija su nombre',
          }))
        : [{ path: [where, ...i.path].join('.'), message: i.message }],
    );
    throw new HttpError(
      400,
      'validation_failed',
      `solicitud inválida (${where}): ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return result.data;
}

/**
 * The request's path parameters, query and body, each validated against the route's schema
 * (400 naming every bad one; the body as `parseBody` reads it). A part the route declares no schema
 * for is `undefined`.
 */
export function parseRequest<R extends RouteDef>(route: R, event: HttpEvent): ParsedRequest<R> {
  return {
    params: route.params ? parseWith(route.params, event.pathParameters ?? {}, 'path') : undefined,
    query: route.query ? parseWith(route.query, event.queryStringParameters ?? {}, 'query') : undefined,
    body: route.body ? parseBody(event, route.body) : undefined,
  } as ParsedRequest<R>;
}

/** A JSON answer whose body the compiler holds to the route's schema for `status`. */
export function reply<R extends RouteDef, S extends keyof R['responses'] & number>(
  _route: R,
  status: S,
  body: ResponseBody<R, S>,
  headers: Record<string, string> = {},
): HttpResult {
  return json(status, body, headers);
}

/**
 * Wraps a route handler: HttpErrors become their JSON answer; anything else is logged and answered
 * with a 500 that carries only the request id.
 */
export function httpHandler(
  logger: Logger,
  route: (event: HttpEvent, context: Context) => Promise<HttpResult>,
): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  return async (event, context) => {
    try {
      return await route(event, context);
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status >= 500) logger.error('request failed', { error });
        return json(
          error.status,
          {
            error: {
              code: error.code,
              message: error.message,
              ...(error.details ? { details: error.details } : {}),
              ...error.extra,
            },
          },
          { ...error.headers },
        );
      }
      logger.error('unhandled error', { error: error as Error });
      return json(500, {
        error: { code: 'internal_error', message: 'error interno', requestId: context.awsRequestId },
      });
    }
  };
}

/**
 * What a route of the HTTP API is, written once: method, path, who may call it, and the zod schemas
 * of its path parameters, query, body and of each response by status (the error body included).
 * Each feature keeps a table of these in its `api/routes.ts`; the handlers validate requests with
 * them, `infra/system.ts` declares their method and path to the CDK stack and the local gateway,
 * the OpenAPI document is generated from them and client code parses answers with them.
 */
import { z } from 'zod';
import type { Action, Role } from '../domain/access';
import { rolesAllowed } from '../domain/access';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseDef {
  /** What the status means, in Spanish: it is shown in the OpenAPI document. */
  readonly description: string;
  readonly schema: z.ZodType;
  /** An example body; the document carries it and a unit test checks it against `schema`. */
  readonly example?: unknown;
}

/** Who may call a route: a permission (with the roles that hold it), or anyone (`public`). */
export type RouteAccess =
  | { readonly permission: Action; readonly roles: readonly Role[]; readonly scope: string }
  | 'public';

export interface RouteDef {
  readonly method: HttpMethod;
  /** API Gateway's path syntax: `{comuna}` is a comuna's CUT code, `{cut}` a monthly cut yyyy-mm. */
  readonly path: string;
  readonly operationId: string;
  /** The feature, as the OpenAPI tag. */
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly access: RouteAccess;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** Request headers the route reads (beyond `Authorization` and `Content-Type`), by name. */
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly responses: Readonly<Record<number, ResponseDef>>;
}

/** Keeps the literal types of a route (its schemas and statuses) for `reply` and the clients. */
export function defineRoute<const R extends RouteDef>(route: R): R {
  return route;
}

/** `METHOD /path`, as API Gateway names a route in `event.routeKey`. */
export function routeKeyOf(route: Pick<RouteDef, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** A permission and the roles that hold it, with the comuna scope it is checked against. */
export function permission(action: Action, scope: string): RouteAccess {
  return { permission: action, roles: rolesAllowed(action), scope };
}

/** One problem of a request: where (`body.reporter.institution`) and what. */
export const problemDetailSchema = z.object({ path: z.string(), message: z.string() });

/** The one error shape every function answers with. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Código estable del error, para los programas' }),
      message: z.string().meta({ description: 'Qué ocurrió, en español, para las personas' }),
      details: z.array(problemDetailSchema).optional(),
      allowed: z.array(z.string()).optional().meta({
        description: 'Lo que sí se puede hacer desde el estado actual (p. ej. las acciones del caso)',
      }),
      missing: z
        .array(z.string())
        .optional()
        .meta({ description: 'Las condiciones previas que faltan registrar' }),
      cap: z
        .number()
        .int()
        .optional()
        .meta({ description: 'El tope de carga del profesional (409 `caseload_cap_reached`)' }),
      load: z
        .number()
        .int()
        .optional()
        .meta({ description: 'Su carga actual: casos activos (gestor) o familias (terapeuta)' }),
      waitingPosition: z
        .number()
        .int()
        .optional()
        .meta({ description: 'El lugar del caso en la lista de espera de la comuna, donde quedó' }),
      offeredTo: z
        .string()
        .optional()
        .meta({ description: 'El caso al que se ofrece el próximo lugar que se libere' }),
      caseId: z
        .string()
        .optional()
        .meta({ description: 'El caso abierto por la decisión anterior (409 `already_decided`)' }),
      currentVersion: z
        .number()
        .int()
        .optional()
        .meta({ description: 'La versión vigente, cuando se escribió sobre una versión anterior (412)' }),
      requestId: z.string().optional().meta({ description: 'Solo en un error interno (500)' }),
    }),
  })
  .meta({ description: 'Cuerpo de todo error de la API' });

/** What API Gateway's JWT authorizer answers, before any function runs, to a missing or bad token. */
export const gatewayErrorSchema = z
  .object({
    message: z.string(),
    reason: z.string().optional().meta({ description: 'Solo en el sistema local' }),
  })
  .meta({ description: 'Respuesta del autorizador JWT de API Gateway' });

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Solicitud inválida: `details` nombra cada parámetro o campo con problemas',
  403: 'El rol o las comunas del token no permiten esta operación, o el token trae un rol desconocido o comunas que su rol no puede tener',
  404: 'No existe, o quien consulta no puede verlo (se responde igual en ambos casos)',
  409: 'En conflicto con una solicitud anterior o con el estado de lo que se quiere cambiar: `code` dice cuál (p. ej. `idempotency_key_reused`, `transition_not_allowed` con `allowed`)',
  412: 'Se escribió sobre una versión que ya no es la vigente (`If-Match`): vuelva a leer y repita el cambio; `currentVersion` dice la vigente',
  422: 'La solicitud es válida en su forma pero no se puede aplicar como viene: `details` nombra el campo',
  428: 'Falta la cabecera `If-Match` con la versión (ETag) leída',
  415: 'El cuerpo no está declarado como JSON en UTF-8',
  500: 'Error interno: solo lleva el identificador de la solicitud',
};

const ERROR_EXAMPLES: Readonly<Record<number, unknown>> = {
  400: {
    error: {
      code: 'validation_failed',
      message: 'solicitud inválida (path): path.comuna: debe ser un código CUT de 5 dígitos',
      details: [{ path: 'path.comuna', message: 'debe ser un código CUT de 5 dígitos' }],
    },
  },
  403: {
    error: { code: 'forbidden', message: 'el rol sectorialista no puede leer la nómina de la comuna 13101' },
  },
  404: { error: { code: 'not_found', message: 'no se encontró lo solicitado' } },
  409: {
    error: {
      code: 'idempotency_key_reused',
      message:
        'esta clave de idempotencia ya se usó con otro contenido: para una solicitud distinta use una clave nueva; para reintentar, repita el contenido original',
    },
  },
  412: {
    error: {
      code: 'stale_version',
      message:
        'el caso cambió desde que lo leyó (versión actual 4): vuelva a leerlo y repita el cambio sobre la versión actual',
      currentVersion: 4,
    },
  },
  415: { error: { code: 'unsupported_media_type', message: 'el cuerpo no está declarado como JSON' } },
  422: {
    error: {
      code: 'reason_required',
      message: 'para cerrar el PAF debe indicar el motivo',
      details: [{ path: 'body.reason', message: 'para cerrar el PAF debe indicar el motivo' }],
    },
  },
  428: {
    error: {
      code: 'precondition_required',
      message: 'indique en If-Match la versión del caso que leyó (su ETag)',
    },
  },
  500: {
    error: {
      code: 'internal_error',
      message: 'error interno',
      requestId: 'c0ffee00-0000-4000-8000-000000000000',
    },
  },
};

/**
 * The error answers of a route: the given statuses with the error body, plus 401 (from the
 * authorizer or the function), 403 (a token's role or scope) and 500, which any authenticated
 * route may answer.
 */
export function errorResponses(
  ...statuses: (400 | 403 | 404 | 409 | 412 | 415 | 422 | 428)[]
): Record<number, ResponseDef> {
  const out: Record<number, ResponseDef> = {};
  // 403 too: any route refuses a token whose role is unknown or whose comunas its role may not hold.
  for (const status of [...new Set([...statuses, 403, 500])].sort((a, b) => a - b)) {
    out[status] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      // A path the gateway cannot decode (bad percent-encoding) is refused by it, as `{message}`.
      schema: status === 400 ? z.union([errorBodySchema, gatewayErrorSchema]) : errorBodySchema,
      example: ERROR_EXAMPLES[status],
    };
  }
  out[401] = {
    description:
      'Sin token válido: el autorizador JWT responde `{message}`; un token sin rol ni comunas SAN, el cuerpo de error',
    schema: z.union([errorBodySchema, gatewayErrorSchema]),
    example: { message: 'Unauthorized' },
  };
  return out;
}

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The body a route answers with `status`, as the handler may build it. */
export type ResponseBody<R extends RouteDef, S extends keyof R['responses']> = R['responses'][S] extends {
  readonly schema: infer Z extends z.ZodType;
}
  ? DeepReadonly<z.input<Z>>
  : never;

/** The body of `status` as a client reads it. */
export type ParsedResponse<R extends RouteDef, S extends keyof R['responses']> = R['responses'][S] extends {
  readonly schema: infer Z extends z.ZodType;
}
  ? z.output<Z>
  : never;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ParsedRequest<R extends RouteDef> {
  readonly params: Parsed<R['params']>;
  readonly query: Parsed<R['query']>;
  readonly body: Parsed<R['body']>;
}

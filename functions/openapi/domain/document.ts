/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route tables: zod's own JSON Schema
 * output (draft 2020-12, which OpenAPI 3.1 uses) for every parameter, body and response, requests
 * as they are accepted and responses as they are sent (no field a schema does not name).
 */
import { z } from 'zod';
import type { RouteDef } from '../../shared/api/route';

export type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Record<string, unknown>>>;
};

/** The document's version: raise it with any change a client can see. */
export const API_VERSION = '2.0.0';

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

function parametersOf(route: RouteDef): Record<string, unknown>[] {
  const list = (where: 'path' | 'query' | 'header', object: z.ZodObject | undefined) =>
    Object.entries(object?.shape ?? {}).map(([name, schema]) => {
      const s = schema as z.ZodType;
      const json = jsonSchemaOf(s, 'input');
      const { description, ...rest } = json;
      return {
        name,
        in: where,
        required: where === 'path' || !s.safeParse(undefined).success,
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      };
    });
  return [...list('path', route.params), ...list('query', route.query), ...list('header', route.headers)];
}

function accessText(route: RouteDef): string {
  if (route.access === 'public') return 'Público: no requiere token.';
  return `Permiso \`${route.access.permission}\`: ${route.access.scope} (roles: ${route.access.roles.join(', ')}).`;
}

/** The document for `routes`. */
export function buildOpenApiDocument(routes: readonly RouteDef[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses).sort(([a], [b]) => a.localeCompare(b))) {
      responses[status] = {
        description: response.description,
        content: {
          'application/json': {
            schema: jsonSchemaOf(response.schema, 'output'),
            ...(response.example !== undefined ? { example: response.example } : {}),
          },
        },
      };
    }
    const parameters = parametersOf(route);
    const operation = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      description: [route.description, accessText(route)].filter(Boolean).join('\n\n'),
      security: route.access === 'public' ? [] : [{ cognito: [] }],
      ...(route.access === 'public'
        ? {}
        : { 'x-san-permission': route.access.permission, 'x-san-roles': route.access.roles }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sistema de Alerta Niñez (SAN)',
      version: API_VERSION,
      description:
        'API HTTP del Sistema de Alerta Niñez. Toda ruta salvo `/openapi.json` requiere `Authorization: Bearer <token>` (token de ID de Cognito) con los claims `custom:role` y `custom:comunas`. Los errores son JSON `{"error": {"code", "message", "details"?}}`: `code` es estable, `message` está en español.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}

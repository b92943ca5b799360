/** The route that serves the API's own description; anyone may read it, with no token. */
import { z } from 'zod';
import { defineRoute } from '../../shared/api/route';

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  tag: 'documentación',
  summary: 'Este documento OpenAPI 3.1',
  access: 'public',
  responses: {
    200: {
      description: 'El documento OpenAPI de la API',
      schema: z.looseObject({
        openapi: z.string(),
        info: z.looseObject({ title: z.string(), version: z.string() }),
      }),
    },
  },
});

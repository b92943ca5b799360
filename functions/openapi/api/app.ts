/**
 * `GET /openapi.json`: the API's OpenAPI document, generated once per container from the route
 * tables the other functions validate with, so it cannot describe an API other than the deployed one.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { HttpError, httpHandler, json } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { routeKeyOf } from '../../shared/api/route';
import type { OpenApiDocument } from '../domain/document';
import { buildOpenApiDocument } from '../domain/document';
import { API_ROUTES } from './api-routes';
import { openApiRoute } from './routes';

export function createHandler(_rawEnv: Readonly<Record<string, string | undefined>>) {
  const logger = createLogger('san-openapi');
  let document: OpenApiDocument | undefined;
  const route = httpHandler(logger, async (event) => {
    if (event.routeKey !== routeKeyOf(openApiRoute)) {
      throw new HttpError(404, 'no_route', `no existe la ruta ${event.routeKey}`);
    }
    document ??= buildOpenApiDocument(API_ROUTES);
    // Public and the same for everyone: caches may keep it for a few minutes.
    return json(200, document, { 'cache-control': 'public, max-age=300' });
  });
  return middy(route).use(injectLambdaContext(logger));
}

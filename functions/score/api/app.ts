/**
 * Drift API: `GET /v1/comunas/{comuna}/drift/{cut}`, the drift report scoring wrote for the comuna
 * and cut. Aggregate figures only; restricted to the comunas of the caller's token.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { s3Client } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { S3ObjectStore } from '../../shared/adapters/s3-object-store';
import { inComuna, roleMay } from '../../shared/domain/access';
import { comunaRef } from '../../shared/domain/comunas';
import type { ObjectStore } from '../../shared/domain/object-store';
import { ObjectDriftStore } from '../domain/drift-store';
import { getDriftRoute } from './routes';

const envSchema = endpointEnvSchema.extend({ CURATED_BUCKET: z.string().min(3) });

/** `curated` replaces the S3 bucket (tests). */
export function createHandler(
  rawEnv: Readonly<Record<string, string | undefined>>,
  ports: { readonly curated?: ObjectStore } = {},
) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-drift-api');
  const drift = new ObjectDriftStore(ports.curated ?? new S3ObjectStore(s3Client(env), env.CURATED_BUCKET));

  const route = httpHandler(logger, async (event) => {
    const principal = principalOf(event);
    if (!roleMay(principal, 'drift:read')) {
      throw new HttpError(403, 'forbidden', `el rol ${principal.role} no puede leer la deriva del modelo`);
    }
    const { comuna, cut } = parseRequest(getDriftRoute, event).params;
    if (!inComuna(principal, comuna)) {
      throw new HttpError(403, 'forbidden', `la comuna ${comuna} no está entre las comunas del token`);
    }
    const report = await drift.report(comuna, cut);
    if (!report) {
      throw new HttpError(404, 'not_found', `la comuna ${comuna} no tiene un corte ${cut} puntuado`);
    }
    return reply(getDriftRoute, 200, { ...report, comuna: comunaRef(comuna) });
  });
  return middy(route).use(injectLambdaContext(logger));
}

/**
 * Quality API: `GET /v1/quality/{cut}` (every source's index for the cut, with its cumulative
 * figure for the year) and `GET /v1/quality/{cut}/{source}` (the index per institution and comuna,
 * with the items to correct). Restricted to the caller's comunas; quality data carries no personal
 * data.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { CONTRACTS, isSourceId } from '../../ingest/domain/contracts';
import type { QualityReport } from '../../ingest/domain/quality';
import { s3Client } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import type { HttpEvent } from '../../shared/adapters/http';
import { HttpError, httpHandler, parseRequest, principalOf, reply } from '../../shared/adapters/http';
import { createLogger } from '../../shared/adapters/logger';
import { S3ObjectStore } from '../../shared/adapters/s3-object-store';
import { routeKeyOf } from '../../shared/api/route';
import { roleMay, scopeComunas } from '../../shared/domain/access';
import { qualityKeys } from '../../shared/domain/curated';
import { qualityReportSchema, viewOf } from '../domain/quality-view';
import { qualityOfCutRoute, qualityOfSourceRoute } from './routes';

const envSchema = endpointEnvSchema.extend({ CURATED_BUCKET: z.string().min(3) });

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-quality-api');
  const store = new S3ObjectStore(s3Client(env), env.CURATED_BUCKET);

  const reportsOfYear = async (cut: string, source: string): Promise<QualityReport[]> => {
    const keys = (await store.list(qualityKeys.yearPrefix(cut.slice(0, 4)))).filter((k) =>
      k.endsWith(`/${source}.json`),
    );
    const reports: QualityReport[] = [];
    for (const key of keys) {
      const report = await store.getJson(key, qualityReportSchema);
      if (report && report.cut <= cut) reports.push(report);
    }
    return reports;
  };

  const sourceView = async (event: HttpEvent, cut: string, source: string) => {
    const principal = principalOf(event);
    const history = await reportsOfYear(cut, source);
    const report = history.find((r) => r.cut === cut);
    if (!report) return undefined;
    if (!isSourceId(source)) return undefined;
    return viewOf(report, history, scopeComunas(principal), CONTRACTS[source]);
  };

  const route = httpHandler(logger, async (event) => {
    const principal = principalOf(event);
    if (!roleMay(principal, 'quality:read')) {
      throw new HttpError(
        403,
        'forbidden',
        `el rol ${principal.role} no puede leer el índice de calidad de datos`,
      );
    }
    if (event.routeKey === routeKeyOf(qualityOfSourceRoute)) {
      const { cut, source } = parseRequest(qualityOfSourceRoute, event).params;
      const view = await sourceView(event, cut, source);
      if (!view)
        throw new HttpError(404, 'not_found', `no hay informe de calidad de ${source} en el corte ${cut}`);
      return reply(qualityOfSourceRoute, 200, view);
    }
    const { cut } = parseRequest(qualityOfCutRoute, event).params;
    const sources = [];
    for (const source of Object.keys(CONTRACTS)) {
      const view = await sourceView(event, cut, source);
      if (!view) continue;
      sources.push({
        source: view.source,
        producer: view.producer,
        rows: view.total.counts.rows,
        scores: view.total.scores,
        cumulative: view.cumulative,
        // Institutions without rows in the extract have no index to rank.
        lowest: view.entries
          .filter((e) => e.scores.ici !== null)
          .slice(0, 5)
          .map((e) => ({ institution: e.institution, comuna: e.comuna, ici: e.scores.ici })),
      });
    }
    return reply(qualityOfCutRoute, 200, { cut, sources });
  });
  return middy(route).use(injectLambdaContext(logger));
}

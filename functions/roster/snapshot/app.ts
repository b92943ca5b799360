/**
 * Roster snapshot: on a schedule, writes every pilot comuna's roster to the snapshots bucket as
 * `snapshots/<date>/<cut>.json` and `latest/<cut>.json`, plus an index the dashboard reads first.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDocumentClient, s3Client } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { createLogger } from '../../shared/adapters/logger';
import { findComuna } from '../../shared/domain/comunas';
import { officeComunas } from '../../shared/domain/oln-offices';
import { DynamoRosterStore } from '../adapters/dynamo-roster-store';
import type { RosterEntry } from '../domain/roster';
import { buildSnapshot } from '../domain/snapshot';

const envSchema = endpointEnvSchema.extend({
  ROSTER_TABLE: z.string().min(1),
  SNAPSHOTS_BUCKET: z.string().min(3),
});

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-roster-snapshot');
  const roster = new DynamoRosterStore(dynamoDocumentClient(env), env.ROSTER_TABLE);
  const s3 = s3Client(env);
  const put = (key: string, body: unknown) =>
    s3.send(
      new PutObjectCommand({
        Bucket: env.SNAPSHOTS_BUCKET,
        Key: key,
        Body: JSON.stringify(body),
        ContentType: 'application/json; charset=utf-8',
      }),
    );

  const handle = async (_event: ScheduledEvent, _context: Context) => {
    const takenAt = new Date().toISOString();
    const date = takenAt.slice(0, 10);
    const index = [];
    for (const cut of officeComunas()) {
      const comuna = { cut, name: findComuna(cut)?.name ?? cut };
      const first = await roster.page(comuna.cut, 1);
      const entries: RosterEntry[] = [];
      for await (const e of roster.all(comuna.cut)) entries.push(e);
      const snapshot = buildSnapshot(
        comuna,
        entries,
        {
          ...(first.currentCut ? { currentCut: first.currentCut } : {}),
          ...(first.modelVersion ? { modelVersion: first.modelVersion } : {}),
        },
        takenAt,
      );
      await put(`snapshots/${date}/${comuna.cut}.json`, snapshot);
      await put(`latest/${comuna.cut}.json`, snapshot);
      const { entries: _omitted, ...summary } = snapshot;
      index.push(summary);
    }
    await put('latest/index.json', { takenAt, comunas: index });
    logger.info('snapshots written', { comunas: index.length, takenAt });
    return { takenAt, comunas: index.length };
  };
  return middy(handle).use(injectLambdaContext(logger));
}

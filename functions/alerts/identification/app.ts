/**
 * Provisional-child identification: on a schedule, looks again for every child an alert named
 * without RUN among the children the identity store knows by RUN, merges those a later ingest
 * brought (names and birth date agree with certainty) and shows the others' candidates on their
 * alerts (`identify-provisional.ts`). The scheduled event's time is the pass's "now".
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { DynamoCaseStore } from '../../cases/adapters/dynamo-case-store';
import { DynamoIdentityStore } from '../../identity/adapters/dynamo-identity-store';
import { DynamoRosterStore } from '../../roster/adapters/dynamo-roster-store';
import { dynamoDocumentClient } from '../../shared/adapters/aws-clients';
import { endpointEnvSchema, parseEnv } from '../../shared/adapters/env';
import { createLogger } from '../../shared/adapters/logger';
import { DynamoAlertStore } from '../adapters/dynamo-alert-store';
import type { IdentifyOutcome } from '../domain/identify-provisional';
import { identifyProvisionalChildren } from '../domain/identify-provisional';

const envSchema = endpointEnvSchema.extend({
  ALERTS_TABLE: z.string().min(1),
  OPEN_ALERTS_TABLE: z.string().min(1),
  ROSTER_TABLE: z.string().min(1),
  IDENTITIES_TABLE: z.string().min(1),
  CASES_TABLE: z.string().min(1),
});

export function createHandler(rawEnv: Readonly<Record<string, string | undefined>>) {
  const env = parseEnv(envSchema, rawEnv);
  const logger = createLogger('san-alerts-identification');
  const db = dynamoDocumentClient(env);
  const caseStore = new DynamoCaseStore(db, env.CASES_TABLE);
  const deps = {
    alerts: new DynamoAlertStore(db, env.ALERTS_TABLE, env.OPEN_ALERTS_TABLE),
    roster: new DynamoRosterStore(db, env.ROSTER_TABLE),
    directory: new DynamoIdentityStore(db, env.IDENTITIES_TABLE),
    hasCase: async (childId: string) => (await caseStore.casesOfChild(childId)).length > 0,
  };

  const handle = async (event: ScheduledEvent, _context: Context): Promise<IdentifyOutcome> => {
    const scheduled = Date.parse(event?.time ?? '');
    const now = Number.isNaN(scheduled) ? new Date() : new Date(scheduled);
    const outcome = await identifyProvisionalChildren(deps, now.toISOString());
    // Counts only: which child was merged into which is on the alerts, not in the log.
    logger.info('provisional children identified', { ...outcome });
    return outcome;
  };
  return middy(handle).use(injectLambdaContext(logger));
}

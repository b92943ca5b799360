/**
 * Every route of the HTTP API, from each feature's route table: what the OpenAPI document
 * describes. `test/unit/openapi/api-routes.test.ts` holds it equal to the routes `infra/system.ts`
 * gives its functions, so that no route is deployed undocumented or documented undeployed.
 */

import { ALERT_ROUTES, createAlertRoute } from '../../alerts/api/routes';
import { CASE_ROUTES } from '../../cases/api/routes';
import { familyAccessReportRoute, getAccessLogRoute, getIdentityRoute } from '../../identity/api/routes';
import { cutStatusRoute } from '../../ingest/api/routes';
import { MODELS_ROUTES } from '../../models/api/routes';
import { QUALITY_ROUTES } from '../../quality/api/routes';
import { ROSTER_ROUTES } from '../../roster/api/routes';
import { SCORE_ROUTES } from '../../score/api/routes';
import type { RouteDef } from '../../shared/api/route';
import { openApiRoute } from './routes';

export const API_ROUTES: readonly RouteDef[] = [
  ...ROSTER_ROUTES,
  getIdentityRoute,
  getAccessLogRoute,
  familyAccessReportRoute,
  ...CASE_ROUTES,
  createAlertRoute,
  ...ALERT_ROUTES,
  ...QUALITY_ROUTES,
  ...SCORE_ROUTES,
  ...MODELS_ROUTES,
  cutStatusRoute,
  openApiRoute,
];

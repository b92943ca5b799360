/**
 * The case feature's HTTP routes: the intake queue and decisions, the comuna's cases, their
 * workflow and the work recorded on them, assignment under the caps and the waiting list. Every
 * change of a case is written over the version the caller read: `If-Match` with the case's ETag
 * (`"<version>"`), 428 without it, 412 when it is stale.
 */
import {
  assignCaseRoute,
  getCaseRoute,
  getWaitingListRoute,
  listCasesRoute,
  transitionCaseRoute,
} from './case-routes';
import { getOutcomesRoute, listOverdueAgreementsRoute, listProgramsRoute } from './comuna-routes';
import { decideIntakeRoute, getIntakeRatesRoute, listIntakeRoute } from './intake-routes';
import {
  addAgreementRoute,
  addReferralRoute,
  addSessionRoute,
  moveReferralRoute,
  recordConsentRoute,
  recordNcfasRoute,
  setPafRoute,
  updateAgreementRoute,
  withdrawConsentRoute,
} from './work-routes';

export * from './case-routes';
export * from './comuna-routes';
export * from './intake-routes';
export * from './work-routes';

/** The routes the cases API function serves. */
export const CASE_ROUTES = [
  listIntakeRoute,
  decideIntakeRoute,
  getIntakeRatesRoute,
  listCasesRoute,
  getCaseRoute,
  transitionCaseRoute,
  assignCaseRoute,
  getWaitingListRoute,
  recordConsentRoute,
  withdrawConsentRoute,
  recordNcfasRoute,
  setPafRoute,
  addSessionRoute,
  addAgreementRoute,
  updateAgreementRoute,
  addReferralRoute,
  moveReferralRoute,
  listOverdueAgreementsRoute,
  listProgramsRoute,
  getOutcomesRoute,
] as const;

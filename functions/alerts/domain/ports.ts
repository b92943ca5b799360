/** What the alert functions need; SQS and DynamoDB adapters implement these. */
import type { AlertMessage, AlertState, RiskFactor, StoredAlert } from './alert';
import type { Notice, NoticeAudience } from './notifications';

export interface AlertQueue {
  send(message: AlertMessage): Promise<void>;
}

export interface AlertStore {
  /** Stores the alert unless one with its id exists; says which happened. */
  create(alert: StoredAlert): Promise<'created' | 'exists'>;
  get(alertId: string): Promise<StoredAlert | undefined>;
  ofChild(childId: string): Promise<StoredAlert[]>;
  /**
   * Claims for `alert` the place of the open alert of its child and risk factor, unless another
   * alert holds it (`from`: take it over from that one only); answers the id of the alert that holds
   * it afterwards.
   */
  claimOpen(alert: StoredAlert, from?: string): Promise<string>;
  /** Gives up the place `alert` holds, if it holds it. */
  releaseOpen(alert: StoredAlert): Promise<void>;
  /** Urgent alerts received at or before `before` that no one has acted on, oldest first. */
  awaitingAcknowledgement(before: string): Promise<StoredAlert[]>;
  /** Alerts of provisional children (and of merges not finished), oldest first. */
  awaitingIdentification(): Promise<StoredAlert[]>;
  /** Marks the alert escalated at `at`, unless it was acknowledged or escalated meanwhile; says whether it did. */
  markEscalated(alertId: string, at: string): Promise<boolean>;
  /** Writes `alert` over the version `read`; false when the stored alert is no longer that version. */
  update(alert: StoredAlert, read: number): Promise<boolean>;
  /** A page of the comuna's alerts, oldest first, with the filters applied in the store. */
  listByComuna(comuna: string, query: AlertListQuery): Promise<AlertPage>;
}

export interface AlertListQuery {
  readonly state?: AlertState;
  /** Only the open states (all four), when no `state` is given. */
  readonly openOnly?: boolean;
  readonly riskFactor?: RiskFactor;
  readonly urgent?: boolean;
  /** Only alerts received at or before this instant (waiting at least so long). */
  readonly receivedBefore?: string;
  /** Only alerts received at or after this instant. */
  readonly receivedAfter?: string;
  /** Repeat reports are listed under the alert they repeat unless asked for. */
  readonly includeRepeats?: boolean;
  readonly limit: number;
  readonly cursor?: string;
}

export interface AlertPage {
  readonly alerts: readonly StoredAlert[];
  readonly nextCursor?: string;
}

/** Files notices for people: kept for the notifications route and published to the notifications topic. */
export interface Notifier {
  /** Files `notice` once: a notice filed before is published again only if its publishing failed. */
  notify(notice: Notice): Promise<void>;
}

/** The notices of a comuna, newest first. */
export interface NoticeStore {
  listByComuna(
    comuna: string,
    query: {
      readonly audiences: readonly NoticeAudience[];
      readonly limit: number;
      readonly cursor?: string;
    },
  ): Promise<{ readonly notices: readonly Notice[]; readonly nextCursor?: string }>;
}

/** The child's open cases, for linking an alert to the case that handles it. */
export interface CaseLookup {
  /** Ids of the child's open cases in `comuna`. */
  openCasesOf(childId: string, comuna: string): Promise<readonly string[]>;
}

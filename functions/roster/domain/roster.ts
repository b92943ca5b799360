/**
 * The nómina priorizada of a comuna: its entries, the order they are shown in, and the port through
 * which scoring, alerts and the API reach the store. Children with an open field alert come first
 * (urgent before the rest, oldest alert first), then every scored child of the comuna's current cut
 * by model probability.
 */
import type { Reason } from '../../score/domain/prioritise';

export type Origin = 'predictivo' | 'manual' | 'experto';

export interface AlertSummary {
  readonly alertId: string;
  readonly riskFactor: string;
  readonly urgent: boolean;
  readonly state: string;
  readonly receivedAt: string;
  /** Ids of further reports of the same risk factor received while this alert was open. */
  readonly repeatAlertIds: readonly string[];
}

export interface RosterEntry {
  readonly comuna: string;
  readonly childId: string;
  readonly origin: Origin;
  /** True for a child known only from an alert, not (yet) from the administrative data. */
  readonly provisional: boolean;
  readonly cut?: string;
  readonly probability?: number;
  readonly ventile?: number;
  readonly reasons?: readonly Reason[];
  readonly modelVersion?: string;
  readonly scoredAt?: string;
  readonly alerts?: readonly AlertSummary[];
}

/** What scoring writes for one child; alert fields are never touched by scoring. */
export interface ScoreUpdate {
  readonly childId: string;
  readonly probability: number;
  readonly ventile: number;
  readonly reasons: readonly Reason[];
}

export interface ScoringRun {
  readonly comuna: string;
  readonly cut: string;
  readonly modelVersion: string;
  readonly scoredAt: string;
  readonly scored: number;
  /** The model version and source runs the scores come from. */
  readonly inputs: string;
}

export interface RosterPage {
  readonly entries: readonly RosterEntry[];
  readonly nextCursor?: string;
  readonly currentCut?: string;
  readonly modelVersion?: string;
}

/** Where a child is on a roster: the comuna, and whether the data knows the child there. */
export interface RosterPlacement {
  readonly comuna: string;
  /** True for an entry made by an alert alone; false once scoring has placed the child there. */
  readonly provisional: boolean;
  /** The cut the child was last scored in, for an entry the data made. */
  readonly cut?: string;
}

export interface RosterStore {
  writeScores(run: Omit<ScoringRun, 'scored' | 'inputs'>, updates: readonly ScoreUpdate[]): Promise<void>;
  /** Marks `run.cut` as the comuna's current cut once all its scores are written. */
  completeRun(run: ScoringRun): Promise<void>;
  /** The inputs of the comuna's last completed scoring of `cut`, if any. */
  lastInputs(comuna: string, cut: string): Promise<string | undefined>;
  /** Adds an alert to the child's entry, creating a provisional entry for an unknown child. */
  recordAlert(comuna: string, childId: string, alert: AlertSummary): Promise<void>;
  /** Adds `repeatAlertId` as a repeat report of `alertId` on the entry (idempotent). */
  recordRepeatReport(comuna: string, childId: string, alertId: string, repeatAlertId: string): Promise<void>;
  page(comuna: string, limit: number, cursor?: string): Promise<RosterPage>;
  get(comuna: string, childId: string): Promise<RosterEntry | undefined>;
  /** Every comuna whose roster holds the child (eventually consistent: a write may take a moment). */
  placementsOf(childId: string): Promise<readonly RosterPlacement[]>;
  /** Every entry of a comuna in roster order (for snapshots). */
  all(comuna: string): AsyncIterable<RosterEntry>;
}

/** The cursor given back by the API is not one this store issued. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/** Alert sort key: urgent (0) before normal (1), then the oldest alert first. */
export function alertKey(alerts: readonly AlertSummary[]): string | undefined {
  const open = alerts.filter((a) => OPEN_ALERT_STATES.has(a.state));
  if (open.length === 0) return undefined;
  const tier = open.some((a) => a.urgent) ? 0 : 1;
  const oldest = open.map((a) => a.receivedAt).sort()[0];
  return `${tier}#${oldest}`;
}

/** Alert states of the SAN platform that keep a child at the top of the roster. */
export const OPEN_ALERT_STATES: ReadonlySet<string> = new Set([
  'sin gestionar',
  'en espera de atención',
  'en ejecución',
  'continúa en monitoreo',
]);

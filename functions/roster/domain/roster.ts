/**
 * The nómina priorizada of a comuna: its entries, the order they are shown in, and the port through
 * which scoring, alerts and the API reach the store. Children with an open field alert come first
 * (urgent before the rest, oldest alert first), then every child scored by the comuna's current
 * scoring run by model probability.
 *
 * A comuna's roster reflects exactly the children of its current inputs: each scoring run stamps
 * the entries it writes with its id, and once it is current, entries an earlier run scored are
 * removed, or, if the child has alerts, kept as a manual entry without a model score. Until that
 * sweep has reached them, readers see such entries as the sweep will leave them.
 */
import type { CuratedSource } from '../../shared/domain/curated-records';

/** Whom a reason is about: the child's own records (school, health, police, protection) or its household's. */
export const REASON_CONCERNS = ['niño', 'hogar'] as const;
export type ReasonConcerns = (typeof REASON_CONCERNS)[number];

/** The stretch of time before the cut's knowledge date that a reason looks at. */
export const REASON_WINDOWS = [
  'ficha vigente',
  'al cierre del corte',
  'últimos 3 meses',
  'últimos 12 meses',
  'últimos 24 meses',
  'hace 13 a 36 meses',
] as const;
export type ReasonWindow = (typeof REASON_WINDOWS)[number];

/**
 * Why the model ranks a child where it does: one feature that raises its risk and whose words are
 * true of the child's own values, with whom it concerns, which source and cut it comes from and the
 * window it looks at.
 */
export interface Reason {
  readonly feature: string;
  readonly text: string;
  /** Contribution to the log-odds relative to the average child of the training population. */
  readonly weight: number;
  readonly concerns: ReasonConcerns;
  /** The curated source the feature is computed from. */
  readonly source: CuratedSource;
  /** The monthly cut (`yyyy-mm`) of that source's data. */
  readonly cut: string;
  readonly window: ReasonWindow;
}

/**
 * Why the model leaves a scored child after its head (`head-rule.ts`): it stays on the roster with
 * its score and reasons, ranked after every child the model prioritises.
 */
export interface Demotion {
  /** The rule that applied: at least one child-level reason to be in the model's head. */
  readonly rule: 'child-signal';
  /** Why, in words for the OLN. */
  readonly text: string;
}

export type Origin = 'predictivo' | 'manual' | 'experto';

/**
 * What the cut's data says of the child, in the terms of the social protection offer's target
 * populations: the facts the case feature matches against its program catalogue to suggest
 * referrals (a suggestion for the worker, never a decision). Indicators only, no personal data.
 */
export interface ChildFacts {
  readonly ageYears: number;
  /** The household is in the registry's 40 % bracket (the most vulnerable). */
  readonly rsh40: boolean;
  /** A significant adult (a parent) is deprived of liberty at the cut. */
  readonly adultDeprivedOfLiberty: boolean;
  /** Offender in the police 24-hour program in the last 12 months. */
  readonly offender12m: boolean;
  /** School-age without enrolment, withdrawn in the last 12 months, or attendance below 85 %. */
  readonly schoolDisengaged: boolean;
  readonly drugTreatment12m: boolean;
  readonly mentalHealth12m: boolean;
}

export interface AlertSummary {
  readonly alertId: string;
  readonly riskFactor: string;
  readonly urgent: boolean;
  readonly state: string;
  readonly receivedAt: string;
  /** Ids of further reports of the same risk factor received while this alert was open. */
  readonly repeatAlertIds: readonly string[];
  /** The alert's version this summary was projected from (absent: 1); an older one never replaces it. */
  readonly version?: number;
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
  /** Present when the model ranks the child after its head (see `Demotion`). */
  readonly demotion?: Demotion;
  readonly modelVersion?: string;
  readonly scoredAt?: string;
  readonly alerts?: readonly AlertSummary[];
  /** The registry household's pseudonym: the children of one household are one family to the OLN. */
  readonly family?: string;
  readonly facts?: ChildFacts;
  /**
   * Since when the child has been in the model's head at the comuna's OLN capacity without a break
   * (the scoring run that wrote it is current); absent when the current run leaves the child out.
   */
  readonly headSince?: string;
  /** The child's OLN case, as the case feature projects it onto the entry. */
  readonly case?: CaseProjection;
}

/** What the nómina shows of a child's case: which, its state, and its earliest open agreement. */
export interface CaseProjection {
  readonly caseId: string;
  /** The case's state (the case feature's code, e.g. `diagnostico`). */
  readonly state: string;
  /** The due date (yyyy-mm-dd) of its earliest open mesa de casos agreement; null when none is open. */
  readonly openAgreementsDue: string | null;
  /** The case version it shows: an older one never replaces a newer one. */
  readonly version: number;
}

/**
 * When the child entered the nómina the OLN works from: the model's head at capacity (since
 * `headSince`) or an open field alert (since the oldest one); undefined when neither holds.
 */
export function enteredPriorityAt(entry: Pick<RosterEntry, 'headSince' | 'alerts'>): string | undefined {
  const open = (entry.alerts ?? []).filter((a) => OPEN_ALERT_STATES.has(a.state)).map((a) => a.receivedAt);
  const times = [...open, ...(entry.headSince !== undefined ? [entry.headSince] : [])].sort();
  return times[0];
}

/** What scoring writes for one child; alert fields are never touched by scoring. */
export interface ScoreUpdate {
  readonly childId: string;
  readonly probability: number;
  readonly ventile: number;
  readonly reasons: readonly Reason[];
  /** Set when the model ranks the child after its head; absent, the child ranks by probability alone. */
  readonly demotion?: Demotion;
  /** The registry household's pseudonym. */
  readonly family: string;
  readonly facts: ChildFacts;
}

export interface ScoringRun {
  readonly comuna: string;
  readonly cut: string;
  /** Derived from `inputs`: two runs over the same inputs write the same entries under one id. */
  readonly runId: string;
  readonly modelVersion: string;
  /**
   * When the run started, before it read its inputs: a run that started later read inputs at least
   * as new, so the store never lets an earlier run overwrite or remove what a later one wrote.
   */
  readonly scoredAt: string;
  readonly scored: number;
  /** The model version and source runs the scores come from. */
  readonly inputs: string;
  /**
   * Children of the comuna's registry the run left out, by reason (a child whose every registry
   * survey postdates the cut), so that none leaves the roster silently.
   */
  readonly excluded?: { readonly surveyAfterCut: number };
}

/** The comuna's current scoring run, as the store records it. */
export interface CurrentScoring {
  readonly cut?: string;
  /** Absent for a run recorded before runs had ids; its entries are then those of its cut. */
  readonly runId?: string;
  readonly scoredAt?: string;
}

/** An entry as stored: the run that wrote its scores is kept beside them. */
export interface StoredEntry extends RosterEntry {
  readonly runId?: string;
  /** The run whose head last held the child; `headSince` counts only while that run is current. */
  readonly headRun?: string;
}

/** What a sweep did to the entries earlier runs left. */
export interface StaleSweep {
  /** Entries without alerts, deleted. */
  readonly removed: number;
  /** Entries with alerts, kept as manual entries without model scores. */
  readonly unscored: number;
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
  /**
   * Writes the scores of `run`, stamped with its id; an entry a later-started run has written is
   * left as it is.
   */
  writeScores(run: Omit<ScoringRun, 'scored' | 'inputs'>, updates: readonly ScoreUpdate[]): Promise<void>;
  /**
   * Makes `run` the comuna's current one once all its scores are written; false (and nothing
   * changed) when a run that started later is already current.
   */
  completeRun(run: ScoringRun): Promise<boolean>;
  /**
   * Removes what runs that started before `run` left in the comuna (see `staleAction`), then records
   * the run as settled. Idempotent; entries of `run` and of later runs are not touched.
   */
  removeStale(run: Pick<ScoringRun, 'comuna' | 'runId' | 'scoredAt'>): Promise<StaleSweep>;
  /** The inputs of the comuna's last scoring of `cut` that is complete and settled, if any. */
  lastInputs(comuna: string, cut: string): Promise<string | undefined>;
  /** Adds an alert to the child's entry, creating a provisional entry for an unknown child. */
  /**
   * Writes the summary of an alert onto the child's entry, creating a provisional entry if there is
   * none: added if the entry does not have it, replaced if it has an older version of it (its repeat
   * reports kept), left alone otherwise (idempotent).
   */
  recordAlert(comuna: string, childId: string, alert: AlertSummary): Promise<void>;
  /** Adds `repeatAlertId` as a repeat report of `alertId` on the entry (idempotent). */
  recordRepeatReport(comuna: string, childId: string, alertId: string, repeatAlertId: string): Promise<void>;
  page(comuna: string, limit: number, cursor?: string): Promise<RosterPage>;
  get(comuna: string, childId: string): Promise<RosterEntry | undefined>;
  /** Writes the child's case onto its entry (only an entry that exists, and never over a newer version). */
  recordCase(comuna: string, childId: string, projection: CaseProjection): Promise<void>;
  /**
   * Removes the entry of a child known only from alerts (a provisional child merged into the child
   * it was); an entry scoring placed, or with a case, is left alone.
   */
  removeProvisional(comuna: string, childId: string): Promise<void>;
  /** The facts the last scoring of the child wrote (one read of the entry alone), if any. */
  factsOf(comuna: string, childId: string): Promise<ChildFacts | undefined>;
  /** Every comuna whose roster holds the child (eventually consistent: a write may take a moment). */
  placementsOf(childId: string): Promise<readonly RosterPlacement[]>;
  /**
   * Marks `childIds` (the model's head at the comuna's capacity under `run`) as in the head: a child
   * that was in the head of the comuna's current run keeps its `headSince`, one newly in it starts
   * at `run.scoredAt`. Call before `completeRun`; entries a later run wrote are left alone.
   */
  markHead(
    run: Pick<ScoringRun, 'comuna' | 'runId' | 'scoredAt'>,
    childIds: readonly string[],
  ): Promise<void>;
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

/**
 * Sorts ascending: the model's head first, then the children it ranks after its head (`demoted`),
 * each by highest probability first; ties broken by child id for a stable order.
 */
export function scoreKey(probability: number, childId: string, demoted = false): string {
  const inverted = Math.round((1 - Math.min(1, Math.max(0, probability))) * 1e7);
  return `${demoted ? 1 : 0}#${String(inverted).padStart(8, '0')}#${childId}`;
}

/** Alert states of the SAN platform that keep a child at the top of the roster. */
export const OPEN_ALERT_STATES: ReadonlySet<string> = new Set([
  'sin gestionar',
  'en espera de atención',
  'en ejecución',
  'continúa en monitoreo',
]);

/**
 * Where an entry's scores stand against the comuna's current run: written by it (`current`), by a
 * run that started after it and is not complete yet (`pending`), by an earlier run (`stale`), or
 * never scored (`unscored`: known from alerts only).
 */
export type ScoreState = 'current' | 'pending' | 'stale' | 'unscored';

export function scoreStateOf(entry: StoredEntry, current: CurrentScoring | undefined): ScoreState {
  if (entry.scoredAt === undefined && entry.probability === undefined) return 'unscored';
  if (current?.runId !== undefined ? entry.runId === current.runId : isLegacyCurrent(entry, current)) {
    return 'current';
  }
  const later =
    entry.scoredAt !== undefined && (current?.scoredAt === undefined || entry.scoredAt > current.scoredAt);
  return later ? 'pending' : 'stale';
}

/** Before runs had ids, the current entries were those of the current cut. */
function isLegacyCurrent(entry: StoredEntry, current: CurrentScoring | undefined): boolean {
  return current?.cut !== undefined && entry.runId === undefined && entry.cut === current.cut;
}

/** What a sweep does with an entry an earlier run scored: the child is no longer in the data. */
export function staleAction(entry: RosterEntry): 'delete' | 'unscore' {
  return (entry.alerts ?? []).length > 0 ? 'unscore' : 'delete';
}

/**
 * An alerted child no longer in the data stays on the roster through its alerts, as a manual
 * entry: no model score, known from alerts only.
 */
export function asManualEntry(entry: RosterEntry): RosterEntry {
  return {
    ...withoutScores(entry),
    origin: entry.origin === 'predictivo' ? 'manual' : entry.origin,
    provisional: true,
  };
}

function withoutScores(entry: RosterEntry): RosterEntry {
  const {
    cut: _c,
    probability: _p,
    ventile: _v,
    reasons: _r,
    demotion: _d,
    modelVersion: _mv,
    scoredAt: _at,
    facts: _f,
    headSince: _h,
    ...rest
  } = entry;
  return rest;
}

/**
 * What readers are shown of a stored entry: model scores of the current run only, so that a page
 * never mixes runs, even while a run is written or swept. A stale entry is shown as the sweep will
 * leave it (gone, or manual); a pending one without scores until its run is complete. Undefined
 * for an entry that is not on the roster.
 */
export function entryForReaders(
  stored: StoredEntry,
  current: CurrentScoring | undefined,
): RosterEntry | undefined {
  const { runId: _runId, headRun, headSince, ...rest } = stored;
  // In the head only while the run that put the child there is the comuna's current one.
  const inHead = headSince !== undefined && headRun !== undefined && headRun === current?.runId;
  const entry: RosterEntry = inHead ? { ...rest, headSince } : rest;
  switch (scoreStateOf(stored, current)) {
    case 'current':
    case 'unscored':
      return entry;
    case 'stale':
      return staleAction(entry) === 'delete' ? undefined : asManualEntry(entry);
    case 'pending':
      return withoutScores(entry);
  }
}

/** `alerts` with `alert` added or brought up to its version; undefined when nothing changes. */
export function withAlert(alerts: readonly AlertSummary[], alert: AlertSummary): AlertSummary[] | undefined {
  const held = alerts.find((a) => a.alertId === alert.alertId);
  if (!held) return [...alerts, alert];
  if ((alert.version ?? 1) <= (held.version ?? 1)) return undefined;
  const repeats = [...new Set([...held.repeatAlertIds, ...alert.repeatAlertIds])];
  return alerts.map((a) => (a === held ? { ...alert, repeatAlertIds: repeats } : a));
}

import type {
  AlertSummary,
  CaseProjection,
  ChildFacts,
  CurrentScoring,
  Demotion,
  RosterEntry,
  StoredEntry,
} from '../domain/roster';
import { InvalidCursorError } from '../domain/roster';

export type Item = Record<string, unknown>;

export interface Cursor {
  readonly phase: 'alert' | 'score';
  readonly key?: Item;
  /** The comuna's current run as the first page read it: later pages read the same run. */
  readonly run?: MetaView;
}

/** What readers need of the `#meta` item. */
export interface MetaView {
  readonly current?: CurrentScoring;
  readonly currentCut?: string;
  readonly modelVersion?: string;
}

export function currentOf(meta: Item | undefined): CurrentScoring | undefined {
  if (!meta) return undefined;
  return {
    ...(typeof meta.currentCut === 'string' ? { cut: meta.currentCut } : {}),
    ...(typeof meta.runId === 'string' ? { runId: meta.runId } : {}),
    ...(typeof meta.scoredAt === 'string' ? { scoredAt: meta.scoredAt } : {}),
  };
}

/** The score index filtered to the current run's entries (`:cur`), without the alerted ones. */
export function currentRunFilter(current: CurrentScoring | undefined): {
  FilterExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
} {
  if (current?.runId !== undefined)
    return { FilterExpression: 'attribute_not_exists(alertKey) AND runId = :cur' };
  // A current run recorded before runs had ids: its entries are those of its cut.
  return {
    FilterExpression: 'attribute_not_exists(alertKey) AND attribute_not_exists(runId) AND #cut = :cur',
    ExpressionAttributeNames: { '#cut': 'cut' },
  };
}

export function metaView(meta: Item | undefined): MetaView {
  const current = currentOf(meta);
  return {
    ...(current ? { current } : {}),
    ...metaFields(meta),
  };
}

export function metaFieldsOf(run: MetaView | undefined): { currentCut?: string; modelVersion?: string } {
  return {
    ...(run?.currentCut !== undefined ? { currentCut: run.currentCut } : {}),
    ...(run?.modelVersion !== undefined ? { modelVersion: run.modelVersion } : {}),
  };
}

export function metaFields(meta: Item | undefined): { currentCut?: string; modelVersion?: string } {
  return {
    ...(typeof meta?.currentCut === 'string' ? { currentCut: meta.currentCut } : {}),
    ...(typeof meta?.modelVersion === 'string' ? { modelVersion: meta.modelVersion } : {}),
  };
}

export function toEntry(item: Item): StoredEntry {
  return {
    comuna: String(item.comuna),
    childId: String(item.childId),
    origin: (item.origin as RosterEntry['origin']) ?? 'predictivo',
    provisional: item.provisional === true,
    ...(typeof item.cut === 'string' ? { cut: item.cut } : {}),
    ...(typeof item.probability === 'number' ? { probability: item.probability } : {}),
    ...(typeof item.ventile === 'number' ? { ventile: item.ventile } : {}),
    ...(Array.isArray(item.reasons) ? { reasons: item.reasons as RosterEntry['reasons'] } : {}),
    ...(isDemotion(item.demotion) ? { demotion: item.demotion } : {}),
    ...(typeof item.modelVersion === 'string' ? { modelVersion: item.modelVersion } : {}),
    ...(typeof item.scoredAt === 'string' ? { scoredAt: item.scoredAt } : {}),
    ...(Array.isArray(item.alerts) ? { alerts: item.alerts as AlertSummary[] } : {}),
    ...(typeof item.runId === 'string' ? { runId: item.runId } : {}),
    ...(typeof item.household === 'string' ? { family: item.household } : {}),
    ...(typeof item.facts === 'object' && item.facts !== null ? { facts: item.facts as ChildFacts } : {}),
    ...(typeof item.headSince === 'string' ? { headSince: item.headSince } : {}),
    ...(typeof item.headRun === 'string' ? { headRun: item.headRun } : {}),
    ...(typeof item.case === 'object' && item.case !== null ? { case: item.case as CaseProjection } : {}),
  };
}

export function isDemotion(value: unknown): value is Demotion {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Demotion).rule === 'child-signal' &&
    typeof (value as Demotion).text === 'string'
  );
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const CURSOR_KEY_ATTRIBUTES = new Set(['comuna', 'childId', 'scoreKey', 'alertKey']);

/** A cursor this store issued for `comuna`: its key names only index attributes, as strings. */
export function decodeCursor(text: string, comuna: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this API issued');
  }
  if (typeof value !== 'object' || value === null || !('phase' in value)) {
    throw new InvalidCursorError('the cursor is not one this API issued');
  }
  const phase = (value as { phase: unknown }).phase;
  if (phase !== 'alert' && phase !== 'score')
    throw new InvalidCursorError('the cursor is not one this API issued');
  const run = runOfCursor((value as { run?: unknown }).run);
  const key = (value as { key?: unknown }).key;
  if (key === undefined) return { phase, ...(run ? { run } : {}) };
  const valid =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.entries(key).every(([k, v]) => CURSOR_KEY_ATTRIBUTES.has(k) && typeof v === 'string') &&
    (key as Item).comuna === comuna &&
    typeof (key as Item).childId === 'string';
  if (!valid) throw new InvalidCursorError('the cursor is not one this API issued for this comuna');
  return { phase, key: key as Item, ...(run ? { run } : {}) };
}

/** The run a cursor carries: only string fields of the shapes this store writes. */
export function runOfCursor(value: unknown): MetaView | undefined {
  if (value === undefined) return undefined;
  const strings = (o: unknown, names: readonly string[]): o is Record<string, string | undefined> =>
    typeof o === 'object' &&
    o !== null &&
    !Array.isArray(o) &&
    Object.entries(o).every(
      ([k, v]) => names.includes(k) && (typeof v === 'string' || (k === 'current' && typeof v === 'object')),
    );
  if (!strings(value, ['current', 'currentCut', 'modelVersion'])) {
    throw new InvalidCursorError('the cursor is not one this API issued');
  }
  const current = (value as { current?: unknown }).current;
  if (current !== undefined && !strings(current, ['cut', 'runId', 'scoredAt'])) {
    throw new InvalidCursorError('the cursor is not one this API issued');
  }
  return value as MetaView;
}

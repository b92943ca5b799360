/**
 * The scoring use case for one comuna and cut: once every required source of the cut has been
 * ingested, read the comuna's curated records, compute indicators, run the model in batches, and
 * write each child's probability, ventile and top reasons to the roster; under the head rule
 * (`functions/shared/config/prioritisation.json`), a child without a child-level reason is marked to rank after the
 * model's head. Once the run is current, what earlier runs left of children no longer in the data
 * is removed, so that the roster holds exactly the children of the current inputs (a corrected re-delivery of a cut included). Before
 * the run becomes current, the drift of its inputs and scores against the comuna's previous scored
 * cut is written (`drift.ts`), so that a failure to write it retries the whole run.
 *
 * When a candidate version is in shadow, the same children are also scored with it, without
 * touching the roster, and the comparison (`shadow.ts`) is written as the comuna's shadow report of
 * the cut. Inputs that did not change still get that report when the candidate has none yet.
 */
import { createHash } from 'node:crypto';
import type { ShadowReport } from '../../models/domain/shadow-report';
import { demotionOf } from '../../roster/domain/head-rule';
import type { RosterStore, ScoreUpdate } from '../../roster/domain/roster';
import { scoreKey } from '../../roster/domain/roster';
import { cutKnowledgeDate } from '../../shared/domain/dates';
import { capacityFor } from '../../shared/domain/oln-capacity';
import type { PrioritisationConfig } from '../../shared/domain/prioritisation';
import { PRIORITISATION } from '../../shared/domain/prioritisation';
import { childFactsOf } from './child-facts';
import type { CuratedRecords, ModelSource } from './curated-records';
import { MODEL_SOURCES } from './curated-records';
import { driftReport, profileOf } from './drift';
import type { DriftStore } from './drift-store';
import type { FeatureBatch } from './feature-batches';
import { featureBatches } from './feature-batches';
import { FEATURE_COUNT, FEATURE_NAMES, REASONS_VERSION } from './features';
import type { Excluded } from './indicators';
import { childrenAsOf } from './indicators';
import type { ModelOutput, ModelRunner } from './model-info';
import { topReasons, ventileOf } from './prioritise';
import type { ChildGroups, ScoredChild } from './shadow';
import { groupsOf, shadowReport } from './shadow';
import { compareOnOutcomes } from './shadow-outcomes';

/**
 * Sources that must be ingested for a cut before its rosters are computed: every source the model
 * reads, since a missing one would read as "no event" and understate the children's risk.
 */
export const REQUIRED_SOURCES: readonly ModelSource[] = MODEL_SOURCES;

export interface CuratedReader {
  /** The ingest run currently promoted for the cut and source, if the source has been ingested. */
  currentRun(cut: string, source: string): Promise<string | undefined>;
  /** The comuna's records of every model source, from each source's current run. */
  records(cut: string, comuna: string): Promise<CuratedRecords>;
}

/** The candidate scored in shadow, and where its reports go. */
export interface ShadowDeps {
  readonly model: ModelRunner;
  hasReport(version: string, cut: string, comuna: string): Promise<boolean>;
  writeReport(report: ShadowReport): Promise<void>;
}

export interface ScoreDeps {
  readonly curated: CuratedReader;
  readonly model: ModelRunner;
  readonly roster: RosterStore;
  /** Where each scored cut's drift report goes; without it no drift is monitored. */
  readonly drift?: DriftStore;
  /** The version in shadow; without it only the deployed version scores. */
  readonly shadow?: ShadowDeps;
  /** How the model's head is ordered; `functions/shared/config/prioritisation.json` unless given. */
  readonly prioritisation?: PrioritisationConfig;
  readonly batchSize?: number;
  readonly now?: () => Date;
}

export type ScoreOutcome =
  | {
      readonly status: 'scored';
      readonly scored: number;
      readonly skipped: number;
      readonly modelVersion: string;
      /** Entries of children no longer in the data: deleted, or kept as manual for their alerts. */
      readonly removed: number;
      readonly unscored: number;
      /** Children of the registry left out of this cut, by reason. */
      readonly excluded: Excluded;
      /** The drift report's levels, when drift is monitored. */
      readonly drift?: DriftSummary;
      /** The candidate scored in shadow, if any. */
      readonly shadowVersion?: string;
    }
  | { readonly status: 'waiting'; readonly missingSources: readonly string[] }
  | { readonly status: 'unchanged'; readonly inputs: string; readonly shadowVersion?: string }
  /** A run that started later is already current; this one's leftovers are invisible to readers. */
  | { readonly status: 'superseded'; readonly inputs: string };

/**
 * The version of what a run writes on each entry besides its score (2: the household, the program
 * facts and the head mark). Part of a run's inputs, so that entries written before a new field
 * are rewritten by the next scoring even when the model and its sources did not change.
 */
export const ENTRY_FIELDS_VERSION = 2;

/** The id a scoring run stamps on its entries: the same inputs always give the same id. */
export function scoringRunId(inputs: string): string {
  return createHash('sha256').update(inputs).digest('hex').slice(0, 20);
}

/** What a drift report flagged: its worst level (the score's or a feature's) and the features at `vigilar` or above. */
export interface DriftSummary {
  readonly level: 'estable' | 'vigilar' | 'actuar';
  readonly flagged: readonly string[];
  readonly message: string;
}

export class InvalidCutError extends Error {
  override readonly name = 'InvalidCutError';
}

export async function scoreComuna(deps: ScoreDeps, cut: string, comuna: string): Promise<ScoreOutcome> {
  const asOf = cutKnowledgeDate(cut);
  if (!asOf) throw new InvalidCutError(`cut "${cut}" is not yyyy-mm`);
  // Taken before the inputs are read: a run that starts later reads inputs at least as new.
  const scoredAt = (deps.now ?? (() => new Date()))().toISOString();
  const missing: string[] = [];
  const runs: string[] = [];
  for (const source of REQUIRED_SOURCES) {
    const run = await deps.curated.currentRun(cut, source);
    if (run) runs.push(run);
    else missing.push(source);
  }
  if (missing.length > 0) return { status: 'waiting', missingSources: missing };
  // The roster of a comuna depends only on the model, its reasons, the order of its head and the
  // runs of the sources it reads: changing the head rule rescores.
  const prioritisation = deps.prioritisation ?? PRIORITISATION;
  const headRule = `child-signal-${prioritisation.requireChildSignal ? 'on' : 'off'}`;
  const inputs = `${deps.model.info.version}|reasons-${REASONS_VERSION}|entries-${ENTRY_FIELDS_VERSION}|${headRule}|${runs.join('|')}`;
  const unchanged = (await deps.roster.lastInputs(comuna, cut)) === inputs;
  const shadow = deps.shadow;
  const shadowVersion = shadow?.model.info.version;
  const needsShadow =
    shadow !== undefined &&
    shadowVersion !== deps.model.info.version &&
    (!unchanged || !(await shadow.hasReport(shadow.model.info.version, cut, comuna)));
  if (unchanged && !needsShadow)
    return { status: 'unchanged', inputs, ...(shadowVersion ? { shadowVersion } : {}) };

  const records = await deps.curated.records(cut, comuna);
  const joined = childrenAsOf(records, asOf);
  const { excluded } = joined;
  const children = [...joined.children.entries()];
  const batchSize = deps.batchSize ?? 2048;
  const runId = scoringRunId(inputs);
  const modelVersion = deps.model.info.version;
  const row = new Float32Array(FEATURE_COUNT);
  let scored = 0;
  let skipped = 0;
  const scoredInputs: Float32Array[] = [];
  const probabilities: number[] = [];
  const deployedScores: ScoredChild[] = [];
  const shadowScores: ScoredChild[] = [];
  const groups = new Map<string, ChildGroups>();
  // Every scored child's place in roster order, to mark the model's head at the OLN's capacity.
  const ranking: string[] = [];
  for (const batch of featureBatches(children, asOf, batchSize, row)) {
    skipped += batch.skipped;
    if (batch.ids.length === 0) continue;
    const { ids, input, surveys, families } = batch;
    const output = await deps.model.run(input, ids.length);
    scoredInputs.push(input.slice());
    const updates = scoresOf(deps.model, output, batch, cut, prioritisation);
    for (const u of updates) ranking.push(scoreKey(u.probability, u.childId, u.demotion !== undefined));
    for (let i = 0; i < ids.length; i++) probabilities.push(output.probability[i] as number);
    if (needsShadow && shadow) {
      const shadowUpdates = scoresOf(
        shadow.model,
        await shadow.model.run(input, ids.length),
        { ids, input, surveys, families },
        cut,
        prioritisation,
      );
      for (const [i, u] of updates.entries()) {
        deployedScores.push(scoredChild(u));
        shadowScores.push(scoredChild(shadowUpdates[i] as ScoreUpdate));
        const sources = joined.children.get(u.childId);
        if (sources) groups.set(u.childId, groupsOf(sources.rsh, asOf));
      }
    }
    if (!unchanged) await deps.roster.writeScores({ comuna, cut, runId, modelVersion, scoredAt }, updates);
    scored += updates.length;
  }
  if (needsShadow && shadow) {
    await shadow.writeReport(
      shadowReport({
        comuna,
        cut,
        generatedAt: scoredAt,
        deployed: { version: modelVersion, metrics: deps.model.info.metrics },
        shadow: { version: shadow.model.info.version, metrics: shadow.model.info.metrics },
        deployedScores,
        shadowScores,
        groups,
        outcomes: await compareOnOutcomes(deps.curated, deps.model, shadow.model, cut, comuna),
      }),
    );
  }
  if (unchanged) return { status: 'unchanged', inputs, ...(shadowVersion ? { shadowVersion } : {}) };
  let drift: DriftSummary | undefined;
  if (deps.drift) {
    const values = { comuna, cut, modelVersion, features: featureColumns(scoredInputs), probabilities };
    const previous = await deps.drift.previousProfile(comuna, cut);
    const report = driftReport(values, previous);
    await deps.drift.write(profileOf(values), report);
    const levels = [report.score?.level ?? 'estable', ...report.features.map((f) => f.level)];
    const level = levels.includes('actuar') ? 'actuar' : levels.includes('vigilar') ? 'vigilar' : 'estable';
    drift = { level, flagged: report.flagged, message: report.message };
  }
  const run = { comuna, cut, runId, modelVersion, scoredAt, scored, inputs, excluded };
  await deps.roster.markHead(run, headOf(ranking, capacityFor(comuna, ranking.length)));
  if (!(await deps.roster.completeRun(run))) return { status: 'superseded', inputs };
  const { removed, unscored } = await deps.roster.removeStale(run);
  return {
    status: 'scored',
    scored,
    skipped,
    modelVersion,
    removed,
    unscored,
    excluded,
    ...(drift ? { drift } : {}),
    ...(needsShadow && shadowVersion ? { shadowVersion } : {}),
  };
}

/** The child ids of the first `capacity` roster sort keys (`scoreKey` ends with the child id). */
function headOf(ranking: string[], capacity: number): string[] {
  ranking.sort();
  return ranking.slice(0, capacity).map((key) => key.slice(key.lastIndexOf('#') + 1));
}

/**
 * What a model's output gives each child of a batch: probability, ventile and reasons, with the
 * household and the facts the program catalogue reads.
 */
function scoresOf(
  model: ModelRunner,
  output: ModelOutput,
  batch: Pick<FeatureBatch, 'ids' | 'input' | 'surveys' | 'families'>,
  cut: string,
  prioritisation: PrioritisationConfig,
): ScoreUpdate[] {
  const { ids, input, surveys, families } = batch;
  return ids.map((childId, i) => {
    const probability = output.probability[i] as number;
    const offset = i * FEATURE_COUNT;
    const reasons = topReasons(
      output.contributions.subarray(offset, offset + FEATURE_COUNT),
      input.subarray(offset, offset + FEATURE_COUNT),
      cut,
      surveys[i],
    );
    const demotion = demotionOf(reasons, prioritisation);
    return {
      childId,
      probability: Math.round(probability * 1e6) / 1e6,
      ventile: ventileOf(probability, model.info.ventileCutPoints),
      reasons,
      ...(demotion ? { demotion } : {}),
      family: families[i] as string,
      facts: childFactsOf(input.subarray(offset, offset + FEATURE_COUNT)),
    };
  });
}

function scoredChild(u: ScoreUpdate): ScoredChild {
  return {
    childId: u.childId,
    probability: u.probability,
    ventile: u.ventile,
    reasons: u.reasons.map((r) => r.feature),
    ...(u.demotion ? { demoted: true } : {}),
  };
}

/** Each feature's values over the scored children, by name, from the model's row-major inputs. */
function featureColumns(batches: readonly Float32Array[]): Record<string, Float32Array> {
  const rows = batches.reduce((n, b) => n + b.length / FEATURE_COUNT, 0);
  const columns: Record<string, Float32Array> = {};
  FEATURE_NAMES.forEach((name, f) => {
    const column = new Float32Array(rows);
    let r = 0;
    for (const batch of batches) {
      for (let offset = f; offset < batch.length; offset += FEATURE_COUNT)
        column[r++] = batch[offset] as number;
    }
    columns[name] = column;
  });
  return columns;
}

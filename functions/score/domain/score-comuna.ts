/**
 * The scoring use case for one comuna and cut: once every required source of the cut has been
 * ingested, read the comuna's curated records, compute indicators, run the model in batches, and
 * write each child's probability, ventile and top reasons to the roster. Once the run is current,
 * what earlier runs left of children no longer in the data is removed, so that the roster holds
 * exactly the children of the current inputs (a corrected re-delivery of a cut included). Before
 * the run becomes current, the drift of its inputs and scores against the comuna's previous scored
 * cut is written (`drift.ts`), so that a failure to write it retries the whole run.
 */
import { createHash } from 'node:crypto';
import type { RosterStore, ScoreUpdate } from '../../roster/domain/roster';
import { cutKnowledgeDate } from '../../shared/domain/dates';
import type { CuratedRecords, ModelSource } from './curated-records';
import { MODEL_SOURCES } from './curated-records';
import { driftReport, profileOf } from './drift';
import type { DriftStore } from './drift-store';
import { FEATURE_COUNT, FEATURE_NAMES, REASONS_VERSION } from './features';
import type { Excluded } from './indicators';
import { childrenAsOf, computeIndicators, surveyAgeMonths } from './indicators';
import type { ModelRunner } from './model-info';
import type { SurveyAge } from './prioritise';
import { topReasons, ventileOf } from './prioritise';

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

export interface ScoreDeps {
  readonly curated: CuratedReader;
  readonly model: ModelRunner;
  readonly roster: RosterStore;
  /** Where each scored cut's drift report goes; without it no drift is monitored. */
  readonly drift?: DriftStore;
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
    }
  | { readonly status: 'waiting'; readonly missingSources: readonly string[] }
  | { readonly status: 'unchanged'; readonly inputs: string }
  /** A run that started later is already current; this one's leftovers are invisible to readers. */
  | { readonly status: 'superseded'; readonly inputs: string };

/** The id a scoring run stamps on its entries: the same inputs always give the same id. */
export function scoringRunId(inputs: string): string {
  return createHash('sha256').update(inputs).digest('hex').slice(0, 20);
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
  // The roster of a comuna depends only on the model, its reasons and the runs of the sources it reads.
  const inputs = `${deps.model.info.version}|reasons-${REASONS_VERSION}|${runs.join('|')}`;
  if ((await deps.roster.lastInputs(comuna, cut)) === inputs) return { status: 'unchanged', inputs };

  const joined = childrenAsOf(await deps.curated.records(cut, comuna), asOf);
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
  for (let start = 0; start < children.length; start += batchSize) {
    const slice = children.slice(start, start + batchSize);
    const features = new Float32Array(slice.length * FEATURE_COUNT);
    const ids: string[] = [];
    const surveys: SurveyAge[] = [];
    for (const [childId, sources] of slice) {
      if (!computeIndicators(sources, asOf, row)) {
        skipped++;
        continue;
      }
      features.set(row, ids.length * FEATURE_COUNT);
      ids.push(childId);
      surveys.push({ surveyDate: sources.rsh.surveyDate, months: surveyAgeMonths(sources.rsh, asOf) });
    }
    if (ids.length === 0) continue;
    const input = features.subarray(0, ids.length * FEATURE_COUNT);
    const output = await deps.model.run(input, ids.length);
    scoredInputs.push(input.slice());
    for (let i = 0; i < ids.length; i++) probabilities.push(output.probability[i] as number);
    const updates: ScoreUpdate[] = ids.map((childId, i) => {
      const probability = output.probability[i] as number;
      const offset = i * FEATURE_COUNT;
      return {
        childId,
        probability: Math.round(probability * 1e6) / 1e6,
        ventile: ventileOf(probability, deps.model.info.ventileCutPoints),
        reasons: topReasons(
          output.contributions.subarray(offset, offset + FEATURE_COUNT),
          input.subarray(offset, offset + FEATURE_COUNT),
          cut,
          surveys[i],
        ),
      };
    });
    await deps.roster.writeScores({ comuna, cut, runId, modelVersion, scoredAt }, updates);
    scored += updates.length;
  }
  if (deps.drift) {
    const values = { comuna, cut, modelVersion, features: featureColumns(scoredInputs), probabilities };
    const previous = await deps.drift.previousProfile(comuna, cut);
    await deps.drift.write(profileOf(values), driftReport(values, previous));
  }
  const run = { comuna, cut, runId, modelVersion, scoredAt, scored, inputs, excluded };
  if (!(await deps.roster.completeRun(run))) return { status: 'superseded', inputs };
  const { removed, unscored } = await deps.roster.removeStale(run);
  return { status: 'scored', scored, skipped, modelVersion, removed, unscored, excluded };
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

/**
 * The layout of the curated bucket, shared by its writer (ingest) and its readers (scoring, the
 * quality API): each cut and source keeps one folder per run, and `_SUCCESS.json` names the run
 * readers follow once it has been promoted whole; the data-quality and drift reports sit beside them.
 */
import { z } from 'zod';
import type { ObjectStore } from './object-store';

/** Curated layout: one folder per run, promoted by `_SUCCESS.json` once the run is complete. */
export const curatedKeys = {
  part: (cut: string, source: string, runId: string, comuna: string, bucket: number, part: number): string =>
    `cut=${cut}/source=${source}/run=${runId}/comuna=${comuna}/part-${pad(bucket)}-${pad(part)}.ndjson`,
  comunaPrefix: (cut: string, source: string, runId: string, comuna: string): string =>
    `cut=${cut}/source=${source}/run=${runId}/comuna=${comuna}/`,
  /** Every comuna's parts of a run. */
  runPrefix: (cut: string, source: string, runId: string): string =>
    `cut=${cut}/source=${source}/run=${runId}/`,
  success: (cut: string, source: string): string => `cut=${cut}/source=${source}/_SUCCESS.json`,
};

/** Data-quality reports, one per cut and source, in the curated bucket. */
export const qualityKeys = {
  report: (cut: string, source: string): string => `quality/${cut}/${source}.json`,
  /** Pseudonymous list of the source's completeness inconsistencies still open after the cut. */
  open: (cut: string, source: string): string => `quality/${cut}/${source}.open.ndjson`,
  cutPrefix: (cut: string): string => `quality/${cut}/`,
  yearPrefix: (year: string): string => `quality/${year}-`,
};

/**
 * Monitoring per cut, written by scoring: each scored cut's profile of its comuna (the bins the next
 * cut is compared over, no child's values) and its drift report against the previous cut.
 */
export const driftKeys = {
  comunaPrefix: (comuna: string): string => `drift/comuna=${comuna}/`,
  profile: (comuna: string, cut: string): string => `drift/comuna=${comuna}/cut=${cut}/profile.json`,
  report: (comuna: string, cut: string): string => `drift/comuna=${comuna}/cut=${cut}/report.json`,
};

/** `_SUCCESS.json` of a cut and source: the run readers follow, and its report. */
export const successSchema = z.object({ runId: z.string(), report: z.record(z.string(), z.unknown()) });

/** The run whose curated data readers must use for a cut and source, if any. */
export async function currentRunId(
  curated: ObjectStore,
  cut: string,
  source: string,
): Promise<string | undefined> {
  return (await curated.getJson(curatedKeys.success(cut, source), successSchema))?.runId;
}

function pad(n: number): string {
  return String(n).padStart(5, '0');
}

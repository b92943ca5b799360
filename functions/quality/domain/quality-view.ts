/**
 * What the quality API shows: a cut's reports restricted to the caller's comunas, with each
 * entry's cumulative index over the year (the ICI's annual rule) beside its monthly one.
 */

import { z } from 'zod';
import type { SourceContract } from '../../ingest/domain/contracts';
import type { QualityEntry, QualityReport } from '../../ingest/domain/quality';
import { buildQualityReport, cumulativeIci } from '../../ingest/domain/quality';

export const itemCountSchema = z.object({ applicable: z.number(), met: z.number() });
export const qualityCountsSchema = z.object({
  rows: z.number(),
  rejected: z.number(),
  duplicates: z.number(),
  carried: z.number(),
  completeness: z.record(z.string(), itemCountSchema),
  timeliness: z.record(z.string(), itemCountSchema),
});
export const qualityScoresSchema = z.object({
  completeness: z.number().optional(),
  timeliness: z.number().optional(),
  validity: z.number().optional(),
  uniqueness: z.number().optional(),
  ici: z.number().nullable(),
  note: z.string().optional(),
});

/** A stored quality report, as `finalizeRun` writes it. */
export const qualityReportSchema = z.object({
  cut: z.string(),
  source: z.string(),
  producer: z.string(),
  contractVersion: z.string(),
  runId: z.string(),
  total: z.object({ counts: qualityCountsSchema, scores: qualityScoresSchema }),
  entries: z.array(
    z.object({
      institution: z.string(),
      comuna: z.string(),
      counts: qualityCountsSchema,
      scores: qualityScoresSchema,
      items: z.array(
        z.object({ item: z.string(), label: z.string(), applicable: z.number(), met: z.number() }),
      ),
    }),
  ),
}) satisfies z.ZodType<QualityReport>;

export interface QualityEntryView extends QualityEntry {
  readonly cumulative: { readonly annual: number; readonly average: number; readonly months: number };
}

export interface QualityReportView extends Omit<QualityReport, 'entries'> {
  readonly entries: readonly QualityEntryView[];
  readonly cumulative: { readonly annual: number; readonly average: number; readonly months: number };
}

/**
 * Restricts `report` to `comunas` (`*` = all), recomputing the total over what remains, and adds
 * each entry's cumulative index from the same year's earlier reports (`history`, any order).
 * Scores are recomputed from the stored counts, so reports written under an earlier rule read alike;
 * a month without an index (no rows from the institution, or none in the file) adds nothing.
 */
export function viewOf(
  report: QualityReport,
  history: readonly QualityReport[],
  comunas: '*' | readonly string[],
  contract: SourceContract<unknown>,
): QualityReportView {
  const visible = (comuna: string): boolean => comunas === '*' || comunas.includes(comuna);
  const months = [...history.filter((h) => h.cut <= report.cut && h.cut !== report.cut), report].sort(
    (a, b) => a.cut.localeCompare(b.cut),
  );
  const restricted = (r: QualityReport): QualityReport => {
    const tally = Object.fromEntries(
      r.entries.filter((e) => visible(e.comuna)).map((e) => [`${e.institution}|${e.comuna}`, e.counts]),
    );
    return buildQualityReport(contract, { cut: r.cut, runId: r.runId }, tally);
  };
  const restrictedMonths = months.map(restricted);
  const current = restrictedMonths.at(-1) ?? restricted(report);
  const measured = (scores: QualityEntry['scores']): number[] => (scores.ici === null ? [] : [scores.ici]);
  return {
    ...current,
    entries: current.entries.map((e) => {
      const monthly = restrictedMonths
        .map((m) => m.entries.find((x) => x.institution === e.institution && x.comuna === e.comuna))
        .flatMap((x) => (x ? measured(x.scores) : []));
      return { ...e, cumulative: cumulativeIci(monthly) };
    }),
    cumulative: cumulativeIci(restrictedMonths.flatMap((m) => measured(m.total.scores))),
  };
}

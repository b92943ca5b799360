/**
 * What the local start says about drift: for each comuna, the latest cut scored for it whose drift
 * report flags a feature or the score (`vigilar` or `actuar`), with the report's own message, so
 * that whoever runs `npm start` sees which comuna and cut drifted without calling the API.
 */
import { driftReportSchema } from '../functions/score/domain/drift-store';
import type { Comuna } from '../functions/shared/domain/comunas';
import { driftKeys } from '../functions/shared/domain/curated';
import type { ObjectStore } from '../functions/shared/domain/object-store';

/** One line per comuna whose latest drift report is flagged; none when every comuna is stable. */
export async function driftLines(curated: ObjectStore, comunas: readonly Comuna[]): Promise<string[]> {
  const lines: string[] = [];
  for (const comuna of comunas) {
    const cuts = (await curated.list(driftKeys.comunaPrefix(comuna.cut)))
      .map((key) => /cut=(\d{4}-\d{2})\/report\.json$/.exec(key)?.[1])
      .filter((c): c is string => c !== undefined)
      .sort();
    const latest = cuts[cuts.length - 1];
    if (!latest) continue;
    const report = await curated.getJson(driftKeys.report(comuna.cut, latest), driftReportSchema);
    if (!report) continue;
    const flagged = report.flagged.length > 0 || (report.score !== null && report.score.level !== 'estable');
    if (flagged) lines.push(`deriva: ${comuna.name} (${comuna.cut}), corte ${latest}: ${report.message}`);
  }
  return lines;
}

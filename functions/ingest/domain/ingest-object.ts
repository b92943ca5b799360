/**
 * The ingest use case for one uploaded object: route it to its source contract, ingest it, and only
 * if the whole file was read commit the curated partitions, identities, quarantine and report, then
 * ask for the touched comunas to be rescored. A rejected file leaves only its error report.
 */
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import { CONTRACTS, isSourceId } from './contracts';
import type { ReadOptions } from './csv-reader';
import type { IngestReport } from './ingest-extract';
import { ingestExtract, parseExtractKey } from './ingest-extract';
import type { CuratedStore, ExtractStore, IdentityStore, ScoreRequestQueue } from './ports';
import { curatedKeys } from './ports';

export interface IngestDeps {
  readonly extracts: ExtractStore;
  readonly curated: CuratedStore;
  readonly identities: IdentityStore;
  readonly scoreRequests: ScoreRequestQueue;
  readonly pseudonymiser: Pseudonymiser;
  readonly extractsPrefix: string;
  readonly readOptions?: ReadOptions;
  readonly now?: () => Date;
}

export const reportKey = (objectKey: string): string => `${objectKey}.report.json`;
export const quarantineKey = (objectKey: string): string => `${objectKey}.rejected.ndjson`;

export async function ingestObject(deps: IngestDeps, objectKey: string): Promise<IngestReport | undefined> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const location = parseExtractKey(objectKey, deps.extractsPrefix);
  const fail = async (problem: 'unknown-source' | 'bad-location', message: string): Promise<IngestReport> => {
    const report: IngestReport = {
      status: 'rejected',
      source: location.ok ? location.source : '(desconocida)',
      cut: location.ok ? location.cut : '(desconocido)',
      objectKey,
      rowsRead: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      rejectionsByReason: {},
      acceptedByComuna: {},
      error: { problem, message },
    };
    await deps.extracts.putJson(reportKey(objectKey), {
      ...report,
      startedAt,
      finishedAt: now().toISOString(),
    });
    return report;
  };
  if (!location.ok) return fail('bad-location', location.reason);
  if (!isSourceId(location.source)) {
    return fail(
      'unknown-source',
      `no hay contrato para la fuente "${location.source}"; fuentes conocidas: ${Object.keys(CONTRACTS).join(', ')}`,
    );
  }
  const body = await deps.extracts.open(objectKey);
  if (!body) return undefined;
  const result = await ingestExtract({
    contract: CONTRACTS[location.source],
    cut: location.cut,
    objectKey,
    body,
    pseudonymiser: deps.pseudonymiser,
    ...(deps.readOptions ? { readOptions: deps.readOptions } : {}),
  });
  const stamped = { ...result.report, startedAt, finishedAt: now().toISOString() };
  if (result.report.status === 'rejected') {
    await deps.extracts.putJson(reportKey(objectKey), stamped);
    return result.report;
  }
  for (const [comuna, records] of result.partitions) {
    await deps.curated.putLines(
      curatedKeys.partition(location.cut, location.source, comuna),
      records.map((r) => JSON.stringify(r)),
    );
  }
  await deps.identities.putAll(result.identities);
  await deps.extracts.putLines(
    quarantineKey(objectKey),
    result.quarantine.map((q) => JSON.stringify(q)),
  );
  await deps.curated.putJson(curatedKeys.success(location.cut, location.source), stamped);
  await deps.extracts.putJson(reportKey(objectKey), stamped);
  await deps.scoreRequests.sendAll(
    [...result.partitions.keys()].sort().map((comuna) => ({ cut: location.cut, comuna })),
  );
  return result.report;
}

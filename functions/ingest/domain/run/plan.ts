/**
 * Stage 1 of an ingest run, on upload: the file's place, contract and manifest entry are checked,
 * one streaming pass (`plan-scan.ts`) reads it whole, and only a file the manifest vouches for is
 * planned, with one chunk task queued per chunk.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ObjectStore } from '../../../shared/domain/object-store';
import { CONTRACTS, isSourceId } from '../contracts';
import type { CsvLayout } from '../csv-reader';
import {
  asFileError,
  DEFAULT_MAX_RECORD_BYTES,
  DEFAULT_READ_OPTIONS,
  FileRejectedError,
  layoutFromHeader,
} from '../csv-reader';
import { parseExtractKey } from '../ingest-extract';
import { encodingOf } from '../line-decoder';
import type { ManifestLookup } from '../manifest';
import { checkAgainstManifest, MANIFEST_NAME, manifestEntry, manifestSchema } from '../manifest';
import type { IngestReport } from '../report';
import { layoutSummary, rejectedReport } from '../report';
import { startsNewAttempt } from '../run-recovery';
import { previousOpenKey } from './carry-over';
import type { IngestRunDeps } from './deps';
import { DEFAULT_SIZES } from './deps';
import { malformedRefusal, refusedAfterReading, writePlanStats } from './plan-rules';
import type { ScanResult } from './plan-scan';
import { scanFile } from './plan-scan';
import { SHUFFLE_FORMAT } from './shuffle-format';
import type { IngestPlan } from './work-layout';
import { rawKeys, workKeys } from './work-layout';

// --- 1. plan --------------------------------------------------------------------------------------

export type PlanOutcome =
  | { readonly status: 'planned'; readonly runId: string; readonly chunks: number; readonly buckets: number }
  | {
      readonly status: 'rejected' | 'already-ingested' | 'redelivered' | 'missing';
      readonly report?: IngestReport;
    };

/** Plans the run of an uploaded object and queues its chunk tasks. */
export async function planRun(deps: IngestRunDeps, objectKey: string): Promise<PlanOutcome> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const sizes = deps.sizes ?? DEFAULT_SIZES;
  const options = deps.readOptions ?? DEFAULT_READ_OPTIONS;
  const location = parseExtractKey(objectKey, deps.extractsPrefix);
  const base = {
    source: location.ok ? location.source : '(desconocida)',
    cut: location.ok ? location.cut : '(desconocido)',
    objectKey,
    startedAt,
  };
  const reject = async (report: IngestReport): Promise<PlanOutcome> => {
    const finished = { ...report, finishedAt: now().toISOString() };
    await deps.raw.putJson(rawKeys.report(objectKey), finished);
    if (location.ok) {
      // Recorded as a run so that the cut's progress shows the refused file too.
      const at = now().toISOString();
      await deps.runs.create({
        runId: `${location.cut}-${location.source}-refused-${createHash('sha256').update(`${objectKey}|${at}`).digest('hex').slice(0, 16)}`,
        objectKey,
        cut: location.cut,
        source: location.source,
        status: 'rejected',
        chunkCount: 0,
        bucketCount: 0,
        chunksDone: 0,
        bucketsDone: 0,
        bytes: 0,
        createdAt: at,
        updatedAt: at,
        report: finished,
      });
    }
    return { status: 'rejected', report };
  };
  if (!location.ok) return reject(rejectedReport(base, 'bad-location', location.reason));
  if (!isSourceId(location.source)) {
    return reject(
      rejectedReport(
        base,
        'unknown-source',
        `no hay contrato para la fuente "${location.source}"; fuentes conocidas: ${Object.keys(CONTRACTS).join(', ')}`,
      ),
    );
  }
  const contract = CONTRACTS[location.source];
  const versioned = { ...base, contractVersion: contract.version };
  // The manifest is the contract of the cut: a file it does not vouch for is not read.
  const file = {
    name: objectKey.slice(objectKey.lastIndexOf('/') + 1),
    cut: location.cut,
    source: location.source,
  };
  const manifestKey = `${deps.extractsPrefix}${location.cut}/${MANIFEST_NAME}`;
  const lookup = await lookupManifest(deps.raw, manifestKey);
  if (lookup.status !== 'found') {
    const missing = lookup.status === 'missing';
    const message = missing
      ? `falta el manifiesto del corte (${manifestKey}); súbalo y vuelva a subir el archivo`
      : `el manifiesto ${manifestKey} no es válido: ${lookup.message}`;
    return reject({
      ...rejectedReport(versioned, missing ? 'manifest-missing' : 'manifest-mismatch', message),
      manifest: { key: manifestKey, declared: false, checked: [], problems: [message] },
    });
  }
  const declared = manifestEntry(lookup.manifest, file);
  if (declared.problems.length > 0) {
    return reject({
      ...rejectedReport(
        versioned,
        'manifest-mismatch',
        `el archivo no coincide con el manifiesto del corte: ${declared.problems.join('; ')}`,
      ),
      manifest: {
        key: manifestKey,
        declared: declared.entry !== undefined,
        checked: ['corte', 'fuente'],
        problems: declared.problems,
      },
    });
  }
  const body = await deps.raw.open(objectKey);
  if (!body) return { status: 'missing' };

  // Gzip chunks are stored as they close, before the content hash (and so the run id) is known.
  const staging = `staging-${randomUUID()}`;
  let scan: ScanResult;
  try {
    scan = await scanFile(body, sizes.chunkBytes, options, async (index, bytes) => {
      await deps.work.putBytes(workKeys.chunk(staging, index), bytes);
    });
  } catch (error) {
    const e = asFileError(error);
    if (!(e instanceof FileRejectedError)) throw e;
    return reject(rejectedReport(versioned, e.problem, e.message));
  }
  if (scan.chunks.length === 0 && scan.header.length === 0) {
    return reject(rejectedReport(versioned, 'empty', 'el archivo está vacío'));
  }
  const encoding = encodingOf(scan.encoding);
  let layout: CsvLayout;
  try {
    layout = layoutFromHeader(scan.header, encoding, scan.gzip, contract);
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    return reject(rejectedReport(versioned, error.problem, error.message));
  }
  const read = { ...versioned, layout: layoutSummary(layout), sha256: scan.sha256, bytes: scan.totalBytes };
  const manifest = checkAgainstManifest(lookup.manifest, manifestKey, file, {
    rows: scan.records,
    bytes: scan.uploadBytes,
    sha256: scan.uploadSha256,
  });
  if (manifest.problems.length > 0) {
    return reject({
      ...refusedAfterReading(
        read,
        scan.records,
        'manifest-mismatch',
        `el archivo no coincide con el manifiesto del corte: ${manifest.problems.join('; ')}`,
      ),
      manifest,
    });
  }
  const malformed = malformedRefusal(scan);
  if (malformed) {
    return reject({
      ...refusedAfterReading(read, scan.records, malformed.problem, malformed.message),
      manifest,
      quarantinedForStructure: scan.malformed,
    });
  }

  // One run per content; a run that failed in processing (not for its content) or stopped
  // progressing is tried again by uploading the file again, as the next attempt `-r2`, `-r3`, …
  const contentRunId = `${location.cut}-${location.source}-${scan.sha256.slice(0, 16)}`;
  let runId = contentRunId;
  let existing = await deps.runs.get(runId);
  for (let attempt = 2; existing && (await startsNewAttempt(deps, existing)); attempt++) {
    runId = `${contentRunId}-r${attempt}`;
    existing = await deps.runs.get(runId);
  }
  if (existing) {
    if (existing.objectKey === objectKey) return { status: 'redelivered' };
    const report: IngestReport = {
      ...base,
      status: 'already-ingested',
      contractVersion: contract.version,
      runId,
      sha256: scan.sha256,
      rowsRead: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      rejectionsByReason: {},
      acceptedByComuna: {},
      error: {
        problem: 'bad-location',
        message: `contenido idéntico a ${existing.objectKey}, ya ingerido como ${runId}; no se procesa de nuevo`,
      },
    };
    await deps.raw.putJson(rawKeys.report(objectKey), report);
    return { status: 'already-ingested', report };
  }

  const chunks = scan.chunks.map((c, index) =>
    scan.gzip
      ? {
          in: 'work' as const,
          key: workKeys.chunk(staging, index),
          start: 0,
          end: c.end - c.start,
          firstLine: c.firstLine,
        }
      : { in: 'raw' as const, key: objectKey, ...c },
  );
  const bucketCount = Math.max(1, Math.ceil(scan.totalBytes / sizes.reduceBytes));
  const plan: IngestPlan = {
    runId,
    objectKey,
    cut: location.cut,
    source: location.source,
    sha256: scan.sha256,
    bytes: scan.totalBytes,
    uploadSha256: scan.uploadSha256,
    uploadBytes: scan.uploadBytes,
    layout: {
      ...layout,
      columns: [...layout.columns],
      header: [...layout.header],
      unknownColumns: [...layout.unknownColumns],
    },
    bucketCount,
    shuffleFormat: SHUFFLE_FORMAT,
    previousOpen: await previousOpenKey(deps.curated, location.cut, location.source),
    chunks,
    records: scan.records,
    manifest: { ...manifest, checked: [...manifest.checked], problems: [...manifest.problems] },
    startedAt,
  };
  await writePlanStats(deps, plan, layout, scan.tooLong, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  await deps.work.putJson(workKeys.plan(runId), plan);
  const created = await deps.runs.create({
    runId,
    objectKey,
    cut: location.cut,
    source: location.source,
    status: 'processing',
    chunkCount: chunks.length,
    bucketCount,
    chunksDone: 0,
    bucketsDone: 0,
    bytes: scan.totalBytes,
    createdAt: startedAt,
    updatedAt: startedAt,
  });
  if (created === 'exists') return { status: 'redelivered' };
  if (chunks.length === 0) {
    await deps.tasks.sendAll([{ type: 'finalize', runId }]);
  } else {
    await deps.tasks.sendAll(chunks.map((_, index) => ({ type: 'chunk' as const, runId, index })));
  }
  return { status: 'planned', runId, chunks: chunks.length, buckets: bucketCount };
}

async function lookupManifest(raw: ObjectStore, key: string): Promise<ManifestLookup> {
  try {
    const manifest = await raw.getJson(key, manifestSchema);
    return manifest ? { status: 'found', manifest } : { status: 'missing' };
  } catch (error) {
    return { status: 'invalid', message: (error as Error).message };
  }
}

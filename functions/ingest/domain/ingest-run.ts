/**
 * Ingest at any scale, as a fan-out of small tasks over a queue:
 *
 * 1. plan (on upload): one streaming pass checks the header against the source's contract, detects
 *    the encoding over the whole file, hashes the content, and splits it at record boundaries into
 *    chunks (a gzip file is decompressed into chunk objects; a plain one is read by byte ranges).
 * 2. chunk (one task per chunk): rows are validated and pseudonymised; rejected rows go to the
 *    quarantine with line, field and reason; accepted rows are shuffled into buckets by a hash of
 *    their duplicate key, so that all copies of a row meet in one bucket.
 * 3. reduce (one task per bucket): duplicates are dropped (the copy on the earliest line is kept)
 *    and the curated records are written per comuna under the run's own folder; each child's
 *    identity is held in the work bucket.
 * 4. finalize: the counts are summed into the report (read = accepted + rejected + duplicates) and
 *    the run is accepted or refused; an accepted run moves to `publishing`.
 * 5. publish (one task per part of a bucket's identities, `publish-run.ts`): the part's identities
 *    are written to the identity store; once every part is, `_SUCCESS.json` is switched to the new
 *    run in one write and the comunas are queued for scoring.
 *
 * Readers only follow `_SUCCESS.json`, and identities are written only once the run is accepted,
 * so nothing of a failed, refused or half-finished run is seen. Every task is idempotent:
 * redelivered messages rewrite the same objects and count once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import type { IdentityRecord } from '../../identity/domain/identity';
import { curatedKeys } from '../../shared/domain/curated';
import type { ObjectStore } from '../../shared/domain/object-store';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import { CONTRACTS, contractOf, isSourceId } from './contracts';
import type { CsvLayout, CsvRow, FileProblem, ReadOptions } from './csv-reader';
import {
  asFileError,
  byteLimit,
  chain,
  DEFAULT_MAX_RECORD_BYTES,
  DEFAULT_READ_OPTIONS,
  emptyReadNotes,
  FileRejectedError,
  layoutFromHeader,
  MAX_HEADER_BYTES,
  readRowBatches,
} from './csv-reader';
import { parseExtractKey } from './ingest-extract';
import type { EncodingTally } from './line-decoder';
import {
  decodeLine,
  emptyEncodingTally,
  encodingOf,
  encodingSummary,
  mergeEncodingTally,
  tallyLines,
} from './line-decoder';
import { linesOf } from './lines';
import type { ManifestLookup } from './manifest';
import { checkAgainstManifest, MANIFEST_NAME, manifestEntry, manifestSchema } from './manifest';
import { PartWriter } from './part-writer';
import type { IdentityWriter, IngestRun, IngestTaskQueue, RunStore, ScoreRequestQueue } from './ports';
import { rawKeys, workKeys } from './ports';
import { acceptRun, resumePublishing } from './publish-run';
import type { QualityTally } from './quality';
import { buildQualityReport, mergeTally, tallyCarried, tallyDuplicates } from './quality';
import type { Segment } from './record-scanner';
import { delimiterOf, RecordScanner, structuralReason } from './record-scanner';
import type { IngestReport } from './report';
import { addCounts, assertAccounted, layoutSummary, rejectedReport } from './report';
import type { CuratedRecord } from './row-processor';
import { createRowProcessor, reasonKind } from './row-processor';
import { startsNewAttempt } from './run-recovery';

export interface IngestSizes {
  /** Target size of a chunk (one task), in bytes. */
  readonly chunkBytes: number;
  /** Target size of a reduce bucket, in bytes of input. */
  readonly reduceBytes: number;
}

export const DEFAULT_SIZES: IngestSizes = { chunkBytes: 32 * 1024 ** 2, reduceBytes: 64 * 1024 ** 2 };

/**
 * Version of what chunk tasks hand to reduce tasks: the shuffle line's fields and the bucket hash.
 * A plan records the version it was made with; a task of another version (a run that a deploy
 * caught half-way) ends the run as failed at once, rather than mixing two layouts, and the file
 * can then be uploaded again. Raise it with any change to either.
 */
export const SHUFFLE_FORMAT = 3;

export interface IngestRunDeps {
  readonly raw: ObjectStore;
  readonly work: ObjectStore;
  readonly curated: ObjectStore;
  readonly runs: RunStore;
  readonly tasks: IngestTaskQueue;
  readonly identities: IdentityWriter;
  readonly scoreRequests: ScoreRequestQueue;
  readonly pseudonymiser: Pseudonymiser;
  readonly extractsPrefix: string;
  readonly sizes?: IngestSizes;
  readonly readOptions?: ReadOptions;
  readonly now?: () => Date;
  /** Minutes without progress after which a run counts as stalled (see `run-stall.ts`). */
  readonly stallMinutes?: number;
}

const layoutSchema = z.object({
  encoding: z.enum(['utf-8', 'windows-1252']),
  delimiter: z.enum([';', ',']),
  gzip: z.boolean(),
  header: z.array(z.string()),
  columns: z.array(z.string().nullable()),
  unknownColumns: z.array(z.string()),
});

const planSchema = z.object({
  runId: z.string(),
  objectKey: z.string(),
  cut: z.string(),
  source: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  /** SHA-256 and size of the object as uploaded (compressed, for gzip), checked against the manifest. */
  uploadSha256: z.string(),
  uploadBytes: z.number(),
  layout: layoutSchema,
  bucketCount: z.number().int().min(1),
  /** `SHUFFLE_FORMAT` of the code that made the plan (plans from before it was recorded: 1). */
  shuffleFormat: z.number().int().default(1),
  /** Open inconsistencies of the source's latest earlier cut, to carry those not corrected. */
  previousOpen: z.string().nullable(),
  chunks: z.array(
    z.object({
      /** Bucket holding the chunk's bytes: the upload itself, or the work bucket for gzip. */
      in: z.enum(['raw', 'work']),
      key: z.string(),
      start: z.number(),
      end: z.number(),
      firstLine: z.number(),
    }),
  ),
  /** Records the plan counted (malformed ones included); the chunks must read as many. */
  records: z.number().int().optional(),
  /** What was checked against the cut's manifest (plans from before it was recorded: absent). */
  manifest: z
    .object({
      key: z.string(),
      declared: z.boolean(),
      checked: z.array(z.string()),
      problems: z.array(z.string()),
    })
    .optional(),
  startedAt: z.string(),
});
export type IngestPlan = z.infer<typeof planSchema>;

const itemCountSchema = z.object({ applicable: z.number(), met: z.number() });
const tallySchema = z.record(
  z.string(),
  z.object({
    rows: z.number(),
    rejected: z.number(),
    duplicates: z.number(),
    carried: z.number(),
    completeness: z.record(z.string(), itemCountSchema),
    timeliness: z.record(z.string(), itemCountSchema),
  }),
);

const encodingTallySchema = z.object({
  windows1252Lines: z.number(),
  windows1252At: z.array(z.number()),
  utf8Lines: z.number(),
  utf8At: z.array(z.number()),
  sawUtf8: z.boolean(),
});

const chunkStatsSchema = z.object({
  rowsRead: z.number(),
  rejected: z.number(),
  rejectionsByReason: z.record(z.string(), z.number()),
  quarantine: z.array(z.string()),
  quality: tallySchema,
  /** Malformed records (quotes, NUL bytes, length) among the rejected; absent before it was counted. */
  structural: z.number().default(0),
  fieldTooLong: z.number().default(0),
  encoding: encodingTallySchema.default(emptyEncodingTally),
});
type ChunkStats = z.input<typeof chunkStatsSchema>;

const bucketStatsSchema = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  acceptedByComuna: z.record(z.string(), z.number()),
  duplicatesByQualityKey: z.record(z.string(), z.number()),
  /** Parts of the bucket's identities in the work bucket (none from reducers that wrote them out). */
  identityParts: z.number().int().min(0).default(0),
});

/**
 * Size of a part of a bucket's held identities, which one publish task writes. Each identity is a
 * DynamoDB call costing the SDK up to 1.45 ms of CPU (`BENCHMARKS.md`); an identity line has at
 * least ~100 characters, so a part of 4 Mi characters holds at most ~42,000 identities, about a
 * minute of CPU. A whole bucket of a national registry holds ~480,000, more than the timeout.
 */
export const IDENTITY_PART_CHARS = 4 * 1024 * 1024;

/**
 * The key's 32-bit FNV-1a hash, modulo the bucket count. Keys carry a keyed pseudonym, already
 * uniformly spread, so a fast non-cryptographic hash spreads them evenly; equal keys always meet in
 * one bucket, which is all deduplication needs.
 */
export function shuffleBucket(key: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % buckets;
}

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
  if (scan.malformed > MALFORMED_FLOOR && scan.malformed > scan.records * MALFORMED_SHARE) {
    return reject({
      ...refusedAfterReading(
        read,
        scan.records,
        'too-many-malformed',
        `${scan.malformed} de ${scan.records} registros no se pueden leer como CSV (comillas, bytes nulos o ` +
          `longitud): más del ${MALFORMED_SHARE * 100} %, el archivo no se toma como CSV`,
      ),
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

/** More malformed records than this share of a file's records (and the floor) mean it is no CSV. */
const MALFORMED_SHARE = 0.1;
const MALFORMED_FLOOR = 10;

async function lookupManifest(raw: ObjectStore, key: string): Promise<ManifestLookup> {
  try {
    const manifest = await raw.getJson(key, manifestSchema);
    return manifest ? { status: 'found', manifest } : { status: 'missing' };
  } catch (error) {
    return { status: 'invalid', message: (error as Error).message };
  }
}

/** The report of a file refused after its rows were counted: all of them read, none accepted. */
function refusedAfterReading(
  base: Pick<IngestReport, 'source' | 'cut' | 'objectKey'> & Partial<IngestReport>,
  rows: number,
  problem: FileProblem,
  message: string,
): IngestReport {
  return {
    ...rejectedReport(base, problem, message),
    rowsRead: rows,
    rejected: rows,
    rejectionsByReason: rows > 0 ? { '(archivo): archivo rechazado entero': rows } : {},
  };
}

/**
 * Lines over the record limit are in no chunk: the plan quarantines them and counts them as the
 * chunk tasks count theirs, in statistics that finalize adds to the chunks'.
 */
async function writePlanStats(
  deps: IngestRunDeps,
  plan: IngestPlan,
  layout: CsvLayout,
  tooLong: ScanResult['tooLong'],
  maxRecordBytes: number,
): Promise<void> {
  const tally: QualityTally = {};
  const process = createRowProcessor(contractOf(plan.source), plan.cut, layout, deps.pseudonymiser, tally);
  const reasons: Record<string, number> = {};
  const lines: string[] = [];
  for (const { line, preview } of tooLong) {
    const row: CsvRow = {
      line,
      fields: [],
      problem: {
        field: '(registro)',
        reason: structuralReason('record-too-long', maxRecordBytes),
        preview: decodeLine(preview),
      },
    };
    const outcome = process(row);
    if (outcome.kind !== 'rejected') continue;
    const kind = reasonKind(outcome.row);
    reasons[kind] = (reasons[kind] ?? 0) + 1;
    lines.push(JSON.stringify(outcome.row));
  }
  const quarantine = lines.length > 0 ? [rawKeys.planQuarantine(plan.objectKey)] : [];
  if (lines.length > 0) await deps.raw.putLines(rawKeys.planQuarantine(plan.objectKey), lines);
  const stats: ChunkStats = {
    rowsRead: lines.length,
    rejected: lines.length,
    rejectionsByReason: reasons,
    quarantine,
    quality: tally,
    structural: lines.length,
    fieldTooLong: 0,
    encoding: emptyEncodingTally(),
  };
  await deps.work.putJson(workKeys.planStats(plan.runId), stats);
}

interface ScanResult {
  readonly uploadSha256: string;
  readonly uploadBytes: number;
  readonly gzip: boolean;
  readonly header: Buffer;
  readonly chunks: readonly { start: number; end: number; firstLine: number }[];
  readonly totalBytes: number;
  readonly sha256: string;
  /** Records after the header, malformed ones included: what the manifest's `rows` counts. */
  readonly records: number;
  readonly malformed: number;
  /** Lines longer than the record limit: left out of every chunk, quarantined by the plan. */
  readonly tooLong: readonly { readonly line: number; readonly preview: Buffer }[];
  readonly encoding: EncodingTally;
}

/**
 * The bytes of a gzip file's current chunk, held until the chunk closes: from the chunk's start,
 * less what a line over the record limit made worthless.
 */
class PendingBytes {
  private parts: Buffer[] = [];
  private start = 0;
  private length = 0;

  append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** The bytes [from, to), which must be held. */
  take(from: number, to: number): Buffer {
    const all = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [all];
    return Buffer.from(all.subarray(from - this.start, to - this.start));
  }

  /** Forgets the bytes before `offset`. */
  dropBefore(offset: number): void {
    if (offset <= this.start) return;
    const all = Buffer.concat(this.parts);
    const keep = all.subarray(Math.min(all.length, offset - this.start));
    this.parts = keep.length > 0 ? [Buffer.from(keep)] : [];
    this.start = offset;
    this.length = keep.length;
  }
}

/**
 * One pass over the (decompressed) content: header, records (and malformed ones, with the record
 * scanner every chunk task runs again), encodings, content hash and chunk boundaries. For gzip
 * input each chunk's bytes are handed to `storeChunk` as it closes. Memory holds at most one chunk
 * and one record: `chunkBytes + maxRecordBytes` plus the stream's buffers, whatever the input.
 */
async function scanFile(
  body: Readable,
  chunkBytes: number,
  options: ReadOptions,
  storeChunk: (index: number, bytes: Buffer) => Promise<void>,
): Promise<ScanResult> {
  const iterator = body[Symbol.asyncIterator]();
  const first = await iterator.next();
  const firstBytes: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  const uploadHash = createHash('sha256');
  let uploadBytes = 0;
  async function* replay(): AsyncGenerator<Buffer> {
    if (firstBytes.length > 0) {
      uploadHash.update(firstBytes);
      uploadBytes += firstBytes.length;
      yield firstBytes;
    }
    if (first.done) return;
    for (;;) {
      const r = await iterator.next();
      if (r.done) return;
      const piece = Buffer.from(r.value);
      uploadHash.update(piece);
      uploadBytes += piece.length;
      yield piece;
    }
  }
  const raw = Readable.from(replay(), { objectMode: false });
  const gzip = firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
  const bytes: Readable = gzip ? chain(raw, createGunzip(), byteLimit(options.maxDecompressedBytes)) : raw;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;

  const contentHash = createHash('sha256');
  let total = 0;
  let header: Buffer | undefined;
  const headerParts: Buffer[] = [];
  let scanner: RecordScanner | undefined;
  const encoding = emptyEncodingTally();
  const pending = new PendingBytes();
  const chunks: { start: number; end: number; firstLine: number }[] = [];
  const tooLong: { line: number; preview: Buffer }[] = [];
  let chunkStart = 0;
  let chunkFirstLine = 2;
  let stored = 0;

  const close = (end: number, nextLine: number): void => {
    if (end > chunkStart) chunks.push({ start: chunkStart, end, firstLine: chunkFirstLine });
    chunkStart = end;
    chunkFirstLine = nextLine;
  };
  const onSegments = (segments: readonly Segment[]): void => {
    for (const segment of segments) {
      if (segment.kind === 'good') {
        tallyLines(segment.bytes, segment.firstLine, encoding);
        const end = segment.start + segment.bytes.length;
        if (end - chunkStart >= chunkBytes) close(end, segment.firstLine + segment.lines);
      } else if (segment.problem === 'record-too-long') {
        tooLong.push({ line: segment.line, preview: segment.preview });
        close(segment.start, segment.line);
        chunkStart = segment.end;
        chunkFirstLine = segment.line + segment.lines;
      } else if (segment.end - chunkStart >= chunkBytes) {
        close(segment.end, segment.line + segment.lines);
      }
    }
    // A line over the limit is being skipped: the chunk before it closes where it starts.
    const skipping = scanner?.skippingFrom;
    if (skipping !== undefined && skipping > chunkStart) {
      chunks.push({ start: chunkStart, end: skipping, firstLine: chunkFirstLine });
      chunkStart = skipping;
    }
  };
  const flush = async (): Promise<void> => {
    if (!gzip) return;
    for (; stored < chunks.length; stored++) {
      const c = chunks[stored] as (typeof chunks)[number];
      await storeChunk(stored, pending.take(c.start, c.end));
    }
    pending.dropBefore(scanner?.skippingFrom !== undefined ? total : chunkStart);
  };

  try {
    for await (const piece of bytes) {
      let buf = piece as Buffer;
      contentHash.update(buf);
      const at = total;
      total += buf.length;
      if (!header) {
        const nl = buf.indexOf(0x0a);
        if (nl === -1) {
          headerParts.push(Buffer.from(buf));
          if (total > MAX_HEADER_BYTES) {
            throw new FileRejectedError(
              'not-csv',
              'la primera línea no termina en el primer MiB: no es un encabezado CSV',
            );
          }
          continue;
        }
        headerParts.push(buf.subarray(0, nl));
        const line = Buffer.concat(headerParts);
        header = line.at(-1) === 0x0d ? line.subarray(0, line.length - 1) : line;
        chunkStart = at + nl + 1;
        scanner = new RecordScanner(
          delimiterOf(header),
          maxRecordBytes,
          2,
          chunkStart,
          Math.min(chunkBytes, 64 * 1024),
        );
        buf = buf.subarray(nl + 1);
        pending.dropBefore(chunkStart);
      }
      if (gzip) pending.append(buf);
      onSegments((scanner as RecordScanner).push(buf));
      await flush();
    }
  } catch (error) {
    throw asFileError(error);
  }
  if (total === 0) throw new FileRejectedError('empty', 'el archivo está vacío');
  if (!header) {
    const line = Buffer.concat(headerParts);
    header = line.at(-1) === 0x0d ? line.subarray(0, line.length - 1) : line;
    chunkStart = total;
  }
  if (scanner) onSegments(scanner.end());
  close(total, 0);
  await flush();
  return {
    uploadSha256: uploadHash.digest('hex'),
    uploadBytes,
    gzip,
    header,
    chunks,
    totalBytes: total,
    sha256: contentHash.digest('hex'),
    records: scanner?.records ?? 0,
    malformed: scanner?.malformed ?? 0,
    tooLong,
    encoding,
  };
}

// --- 2. chunk -------------------------------------------------------------------------------------

async function loadPlan(deps: IngestRunDeps, runId: string): Promise<IngestPlan> {
  const plan = await deps.work.getJson(workKeys.plan(runId), planSchema);
  if (!plan) throw new Error(`run ${runId} has no plan`);
  return plan;
}

/**
 * Ends a run planned with another shuffle format (see `SHUFFLE_FORMAT`) as failed in processing,
 * so that uploading the file again starts it afresh. Returns whether the run was ended.
 */
async function endedForFormat(deps: IngestRunDeps, plan: IngestPlan): Promise<boolean> {
  if (plan.shuffleFormat === SHUFFLE_FORMAT) return false;
  // A stale task of a run that already ended changes nothing.
  if ((await deps.runs.get(plan.runId))?.status !== 'processing') return true;
  await deps.runs.fail(plan.runId, {
    problem: 'processing-failed',
    message:
      `la ingesta empezó con otra versión del sistema (formato ${plan.shuffleFormat}, ahora ${SHUFFLE_FORMAT}) ` +
      'y no puede terminar; vuelva a subir el archivo',
  });
  await deps.tasks.sendAll([{ type: 'finalize', runId: plan.runId }]);
  return true;
}

/** Validates and pseudonymises one chunk, shuffling accepted rows to their reduce buckets. */
export async function processChunk(deps: IngestRunDeps, runId: string, index: number): Promise<void> {
  const plan = await loadPlan(deps, runId);
  if (await endedForFormat(deps, plan)) return;
  const chunk = plan.chunks[index];
  if (!chunk) throw new Error(`run ${runId} has no chunk ${index}`);
  const contract = contractOf(plan.source);
  const store = chunk.in === 'raw' ? deps.raw : deps.work;
  const body = await store.open(
    chunk.key,
    chunk.in === 'raw' ? { start: chunk.start, end: chunk.end } : undefined,
  );
  if (!body) throw new Error(`chunk ${index} of run ${runId} cannot be read from ${chunk.key}`);
  const tally: QualityTally = {};
  const process = createRowProcessor(contract, plan.cut, plan.layout, deps.pseudonymiser, tally);
  const shuffle = new PartWriter<number>(deps.work, (bucket, part) =>
    workKeys.shuffle(runId, bucket, index, part),
  );
  const quarantine = new PartWriter<'q'>(deps.raw, (_q, part) =>
    rawKeys.quarantine(plan.objectKey, index, part),
  );
  const open = new PartWriter<'o'>(deps.work, (_o, part) => workKeys.open(runId, index, part));
  const seen = new PartWriter<'s'>(deps.work, (_s, part) => workKeys.seen(runId, index, part));
  const previouslyOpen = plan.previousOpen ? await openKeysOf(deps.curated, plan.previousOpen) : undefined;
  const reasons: Record<string, number> = {};
  const notes = emptyReadNotes();
  let rowsRead = 0;
  let rejected = 0;
  try {
    const options = deps.readOptions ?? DEFAULT_READ_OPTIONS;
    for await (const batch of readRowBatches(body, plan.layout, options, chunk.firstLine, notes)) {
      for (const row of batch) {
        rowsRead++;
        const outcome = process(row);
        if (outcome.kind === 'rejected') {
          rejected++;
          const kind = reasonKind(outcome.row);
          reasons[kind] = (reasons[kind] ?? 0) + 1;
          const flushing = quarantine.add('q', JSON.stringify(outcome.row));
          if (flushing) await flushing;
          continue;
        }
        const line = shuffleLine(
          outcome.duplicateKey,
          outcome.line,
          outcome.qualityKey,
          outcome.record,
          outcome.identity,
        );
        // By child, not by the whole key: duplicates (equal keys, so the same child) still meet,
        // and a child's rows all reach one reducer, which writes its identity once.
        const flushing = shuffle.add(shuffleBucket(outcome.record.childId, plan.bucketCount), line);
        if (flushing) await flushing;
        if (outcome.unmet.length > 0) {
          const entry: OpenInconsistency = {
            k: outcome.duplicateKey,
            q: outcome.qualityKey,
            items: [...outcome.unmet],
          };
          const writing = open.add('o', JSON.stringify(entry));
          if (writing) await writing;
        }
        if (previouslyOpen?.has(outcome.duplicateKey)) {
          const writing = seen.add('s', outcome.duplicateKey);
          if (writing) await writing;
        }
      }
    }
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    await deps.runs.fail(runId, { problem: error.problem, message: error.message });
    await afterChunk(deps, plan, index);
    return;
  }
  await shuffle.close();
  await quarantine.close();
  await open.close();
  await seen.close();
  const stats: ChunkStats = {
    rowsRead,
    rejected,
    rejectionsByReason: reasons,
    quarantine: quarantine.written,
    quality: tally,
    structural: notes.structural,
    fieldTooLong: notes.fieldTooLong,
    encoding: notes.encoding,
  };
  await deps.work.putJson(workKeys.chunkStats(runId, index), stats);
  await afterChunk(deps, plan, index);
}

/**
 * Shuffle lines are `key TAB line TAB quality-key TAB comuna TAB record-json TAB identity-json`:
 * a reducer reads keys without parsing records, and writes a kept row's curated record as the
 * chunk task serialised it. JSON text never holds a raw tab or newline (it escapes them).
 */
export function shuffleLine(
  key: string,
  line: number,
  qualityKey: string,
  record: CuratedRecord,
  identity: IdentityRecord,
): string {
  return `${noTabs(key)}\t${line}\t${noTabs(qualityKey)}\t${noTabs(record.comuna)}\t${JSON.stringify(record)}\t${JSON.stringify(identity)}`;
}

function noTabs(v: string): string {
  return v.includes('\t') || v.includes('\n') ? v.replace(/[\t\n]/g, ' ') : v;
}

interface ShuffleEntry {
  readonly key: string;
  readonly line: number;
  readonly qualityKey: string;
}

function shuffleEntry(text: string): ShuffleEntry & { readonly rest: number } {
  const a = text.indexOf('\t');
  const b = text.indexOf('\t', a + 1);
  const c = text.indexOf('\t', b + 1);
  if (a < 0 || b < 0 || c < 0) throw new Error('malformed shuffle line');
  return {
    key: text.slice(0, a),
    line: Number(text.slice(a + 1, b)),
    qualityKey: text.slice(b + 1, c),
    rest: c + 1,
  };
}

function shuffleRow(text: string, rest: number): { comuna: string; record: string; identity: string } {
  const d = text.indexOf('\t', rest);
  const e = text.indexOf('\t', d + 1);
  if (d < 0 || e < 0) throw new Error('malformed shuffle line');
  return { comuna: text.slice(rest, d), record: text.slice(d + 1, e), identity: text.slice(e + 1) };
}

/**
 * A copy of a short piece of a line that does not keep the line alive: V8 makes a slice of a
 * string a view into it, so a key kept in a map for a whole bucket would hold its whole shuffle
 * line (hundreds of bytes) in memory. Flattening a concatenation makes a new, small string.
 */
function detached(piece: string): string {
  return ` ${piece}`.slice(1);
}

/** The child pseudonym inside a duplicate key (`source|childId|…`). */
function childIdOfKey(key: string): string {
  const start = key.indexOf('|') + 1;
  const end = key.indexOf('|', start);
  return end < 0 ? key.slice(start) : key.slice(start, end);
}

async function afterChunk(deps: IngestRunDeps, plan: IngestPlan, index: number): Promise<void> {
  const done = await deps.runs.chunkDone(plan.runId, index);
  if (done < plan.chunks.length) return;
  const run = await deps.runs.get(plan.runId);
  if (run?.failure) {
    await deps.tasks.sendAll([{ type: 'finalize', runId: plan.runId }]);
    return;
  }
  await deps.tasks.sendAll(
    Array.from({ length: plan.bucketCount }, (_, bucket) => ({
      type: 'reduce' as const,
      runId: plan.runId,
      bucket,
    })),
  );
}

// --- 3. reduce ------------------------------------------------------------------------------------

/**
 * Drops duplicates within a shuffle bucket and writes its curated records, in two streaming passes:
 * the first keeps only each key's earliest line, the second writes the rows on those lines. Memory
 * holds the keys, not the records. Each child's identity goes to the work bucket, to be published
 * only once the whole run is accepted.
 */
export async function reduceBucket(deps: IngestRunDeps, runId: string, bucket: number): Promise<void> {
  const plan = await loadPlan(deps, runId);
  if (await endedForFormat(deps, plan)) return;
  const keys = await deps.work.list(workKeys.shufflePrefix(runId, bucket));
  const earliest = new Map<string, number>();
  const rowsByQualityKey: Record<string, number> = {};
  let total = 0;
  for (const key of keys) {
    for await (const text of linesOf(deps.work, key)) {
      const { key: k, line, qualityKey } = shuffleEntry(text);
      total++;
      rowsByQualityKey[qualityKey] = (rowsByQualityKey[qualityKey] ?? 0) + 1;
      const seen = earliest.get(k);
      if (seen === undefined) earliest.set(detached(k), line);
      else if (line < seen) earliest.set(k, line);
    }
  }
  const curated = new PartWriter<string>(deps.curated, (comuna, part) =>
    curatedKeys.part(plan.cut, plan.source, runId, comuna, bucket, part),
  );
  const byComuna: Record<string, number> = {};
  const identities = new PartWriter<number>(
    deps.work,
    (b, part) => workKeys.identities(runId, b, part),
    IDENTITY_PART_CHARS,
  );
  const identified = new Set<string>();
  let accepted = 0;
  for (const key of keys) {
    for await (const text of linesOf(deps.work, key)) {
      const { key: k, line, qualityKey, rest } = shuffleEntry(text);
      if (earliest.get(k) !== line) continue;
      earliest.delete(k);
      rowsByQualityKey[qualityKey] = (rowsByQualityKey[qualityKey] ?? 0) - 1;
      const row = shuffleRow(text, rest);
      accepted++;
      byComuna[row.comuna] = (byComuna[row.comuna] ?? 0) + 1;
      const flushing = curated.add(row.comuna, row.record);
      if (flushing) await flushing;
      const childId = childIdOfKey(k);
      if (!identified.has(childId)) {
        identified.add(detached(childId));
        // Kept as the chunk task serialised it; published once the run is accepted.
        const holding = identities.add(bucket, row.identity);
        if (holding) await holding;
      }
    }
  }
  await curated.close();
  await identities.close();
  await deps.work.putJson(workKeys.bucketStats(runId, bucket), {
    accepted,
    duplicates: total - accepted,
    acceptedByComuna: byComuna,
    duplicatesByQualityKey: Object.fromEntries(Object.entries(rowsByQualityKey).filter(([, n]) => n > 0)),
    identityParts: identities.written.length,
  });
  const done = await deps.runs.bucketDone(runId, bucket);
  if (done >= plan.bucketCount) await deps.tasks.sendAll([{ type: 'finalize', runId }]);
}

// --- 4. finalize ----------------------------------------------------------------------------------

/**
 * Sums the run into its report and decides: a failed run, or one whose file disagrees with the
 * manifest, ends rejected; an accepted one moves to publishing, whose last task promotes it.
 */
export async function finalizeRun(deps: IngestRunDeps, runId: string): Promise<IngestReport> {
  const now = deps.now ?? (() => new Date());
  const plan = await loadPlan(deps, runId);
  const run = await deps.runs.get(runId);
  if (!run) throw new Error(`run ${runId} is not recorded`);
  if (run.report && (run.status === 'done' || run.status === 'rejected')) return run.report;
  if (run.status === 'publishing' && !run.failure) return resumePublishing(deps, run);
  const contract = contractOf(plan.source);
  const base = {
    source: plan.source,
    contractVersion: contract.version,
    cut: plan.cut,
    objectKey: plan.objectKey,
    runId,
    sha256: plan.sha256,
    layout: layoutSummary(plan.layout as CsvLayout),
    bytes: plan.bytes,
    chunks: plan.chunks.length,
    startedAt: plan.startedAt,
  };
  if (run.failure) {
    // Failed while publishing: the buckets published so far hold this accepted file's identities.
    const message =
      run.status === 'publishing'
        ? `${run.failure.message}; el archivo había sido aceptado y parte de sus identidades ya se ` +
          'escribieron, pero no se publicó: vuelva a subirlo para terminar'
        : run.failure.message;
    const report = {
      ...rejectedReport(base, run.failure.problem, message),
      finishedAt: now().toISOString(),
    };
    await deps.raw.putJson(rawKeys.report(plan.objectKey), report);
    await deps.runs.finish(runId, 'rejected', report);
    return report;
  }
  let rowsRead = 0;
  let rejected = 0;
  const reasons: Record<string, number> = {};
  const quarantine: string[] = [];
  const tally: QualityTally = {};
  let structural = 0;
  let fieldsTooLong = 0;
  const encoding = emptyEncodingTally();
  // The plan's own rejections (lines in no chunk) first, then each chunk's; plans from before the
  // plan counted any have no statistics of their own.
  const planStats = await deps.work.getJson(workKeys.planStats(runId), chunkStatsSchema);
  for (let i = -1; i < plan.chunks.length; i++) {
    const stats =
      i < 0 ? planStats : await deps.work.getJson(workKeys.chunkStats(runId, i), chunkStatsSchema);
    if (!stats) {
      if (i < 0) continue;
      throw new Error(`run ${runId}: chunk ${i} has no statistics`);
    }
    rowsRead += stats.rowsRead;
    rejected += stats.rejected;
    addCounts(reasons, stats.rejectionsByReason);
    quarantine.push(...stats.quarantine);
    mergeTally(tally, stats.quality);
    structural += stats.structural;
    fieldsTooLong += stats.fieldTooLong;
    mergeEncodingTally(encoding, stats.encoding);
  }
  if (plan.records !== undefined && plan.records !== rowsRead) {
    // The plan and the chunks read the same bytes with the same scanner: a difference is a defect.
    throw new Error(`run ${runId}: the plan counted ${plan.records} records and the chunks read ${rowsRead}`);
  }
  let accepted = 0;
  let duplicates = 0;
  const byComuna: Record<string, number> = {};
  const identityParts: number[] = [];
  const bucketCount = plan.chunks.length === 0 ? 0 : plan.bucketCount;
  for (let b = 0; b < bucketCount; b++) {
    const stats = await deps.work.getJson(workKeys.bucketStats(runId, b), bucketStatsSchema);
    if (!stats) throw new Error(`run ${runId}: bucket ${b} has no statistics`);
    identityParts.push(stats.identityParts);
    accepted += stats.accepted;
    duplicates += stats.duplicates;
    addCounts(byComuna, stats.acceptedByComuna);
    for (const [key, n] of Object.entries(stats.duplicatesByQualityKey)) tallyDuplicates(tally, key, n);
  }
  const openAfter = await carryInconsistencies(deps, plan, tally);
  const quality = buildQualityReport(contract, { cut: plan.cut, runId }, tally);
  const report = assertAccounted({
    ...base,
    status: 'accepted',
    rowsRead,
    accepted,
    rejected,
    duplicates,
    rejectionsByReason: reasons,
    acceptedByComuna: byComuna,
    quality: quality.total.scores,
    quarantine,
    quarantinedForStructure: structural,
    fieldsTooLong,
    encoding: encodingSummary(encoding, plan.layout.encoding),
    ...(plan.manifest ? { manifest: plan.manifest } : {}),
    finishedAt: now().toISOString(),
  });
  // Accepted: its identities are written, then it is promoted (`publish-run.ts`).
  await acceptRun(deps, run, { report, quality, openAfter, identityParts });
  return report;
}

/** A completeness inconsistency: the record (pseudonymous key), where it is counted, what it lacks. */
interface OpenInconsistency {
  readonly k: string;
  readonly q: string;
  readonly items: readonly string[];
  /** The cut where it was first seen. */
  readonly since?: string;
}

/** The open-inconsistency list of the source's latest cut before `cut`, if any. */
async function previousOpenKey(curated: ObjectStore, cut: string, source: string): Promise<string | null> {
  const suffix = `/${source}.open.ndjson`;
  const earlier = (await curated.list('quality/'))
    .filter((k) => k.endsWith(suffix) && k.slice('quality/'.length, 'quality/'.length + 7) < cut)
    .sort();
  return earlier.at(-1) ?? null;
}

let openKeysCache: { key: string; keys: ReadonlySet<string> } | undefined;

async function openKeysOf(store: ObjectStore, key: string): Promise<ReadonlySet<string>> {
  if (openKeysCache?.key === key) return openKeysCache.keys;
  const keys = new Set<string>();
  for await (const line of linesOf(store, key)) keys.add((JSON.parse(line) as OpenInconsistency).k);
  openKeysCache = { key, keys };
  return keys;
}

/**
 * The ICI counts an inconsistency every month until it is corrected; an institution's next extract
 * is its correction. So an open inconsistency of the previous cut whose record comes again is judged
 * on its new state; one whose record is absent while its institution (per comuna: the quality key)
 * sent rows in this cut is closed, as the institution no longer has that record; one whose
 * institution sent nothing in this cut is counted once more and stays open, until the institution
 * reports again. Returns the open list after this cut.
 */
async function carryInconsistencies(
  deps: IngestRunDeps,
  plan: IngestPlan,
  tally: QualityTally,
): Promise<string[]> {
  const current = new Map<string, OpenInconsistency>();
  for (const key of await deps.work.list(workKeys.openPrefix(plan.runId))) {
    for await (const line of linesOf(deps.work, key)) {
      const entry = JSON.parse(line) as OpenInconsistency;
      if (!current.has(entry.k)) current.set(entry.k, { ...entry, since: plan.cut });
    }
  }
  if (plan.previousOpen) {
    const seen = new Set<string>();
    for (const key of await deps.work.list(workKeys.seenPrefix(plan.runId))) {
      for await (const line of linesOf(deps.work, key)) seen.add(line);
    }
    // Institutions that sent rows, accepted or not, before anything is carried into the tally.
    const reported = new Set(Object.keys(tally).filter((q) => (tally[q]?.rows ?? 0) > 0));
    for await (const line of linesOf(deps.curated, plan.previousOpen)) {
      const entry = JSON.parse(line) as OpenInconsistency;
      const again = current.get(entry.k);
      if (again) {
        current.set(entry.k, { ...again, since: entry.since ?? again.since });
      } else if (!seen.has(entry.k) && !reported.has(entry.q)) {
        tallyCarried(tally, entry.q, entry.items);
        current.set(entry.k, entry);
      }
    }
  }
  return [...current.values()].map((e) => JSON.stringify(e));
}

export type { IngestRun };

/**
 * In-memory ingest ports for unit tests of run recovery: an object store, a task queue, and a run
 * store that, like the DynamoDB one, moves `updatedAt` on every write (by a clock the test sets)
 * and knows which chunks, buckets and identity parts are done.
 */
import { Readable } from 'node:stream';
import type { IngestRun, IngestTask, NewIngestRun, RunStore } from '../../../functions/ingest/domain/ports';
import type { IngestReport } from '../../../functions/ingest/domain/report';
import type { RunMonitor, RunProgress } from '../../../functions/ingest/domain/run-recovery';
import { isActive } from '../../../functions/ingest/domain/run-stall';
import type { ObjectStore } from '../../../functions/shared/domain/object-store';

export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  async open(key: string, range?: { start: number; end: number }) {
    const bytes = this.objects.get(key);
    if (!bytes) return undefined;
    return Readable.from([range ? bytes.subarray(range.start, range.end) : bytes]);
  }
  async getJson<T>(key: string, schema: { parse(v: unknown): T }) {
    const bytes = this.objects.get(key);
    return bytes ? schema.parse(JSON.parse(bytes.toString('utf8'))) : undefined;
  }
  async putJson(key: string, value: unknown) {
    this.objects.set(key, Buffer.from(JSON.stringify(value)));
  }
  async putLines(key: string, lines: readonly string[] | Buffer) {
    this.objects.set(
      key,
      Buffer.isBuffer(lines) ? Buffer.from(lines) : Buffer.from(lines.map((l) => `${l}\n`).join('')),
    );
  }
  async putBytes(key: string, bytes: Buffer) {
    this.objects.set(key, Buffer.from(bytes));
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  json(key: string): Record<string, unknown> | undefined {
    const bytes = this.objects.get(key);
    return bytes ? (JSON.parse(bytes.toString('utf8')) as Record<string, unknown>) : undefined;
  }
}

export class MemoryQueue {
  readonly tasks: IngestTask[] = [];
  async sendAll(tasks: readonly IngestTask[]) {
    this.tasks.push(...tasks);
  }
}

export class MemoryRuns implements RunStore, RunMonitor {
  private readonly records = new Map<string, IngestRun>();
  private readonly chunks = new Map<string, Set<number>>();
  private readonly buckets = new Map<string, Set<number>>();
  private readonly published = new Map<string, Set<string>>();
  constructor(readonly clock: { now: Date } = { now: new Date() }) {}

  private stamp(runId: string, change: Partial<IngestRun>): void {
    const run = this.records.get(runId);
    if (run) this.records.set(runId, { ...run, ...change, updatedAt: this.clock.now.toISOString() });
  }
  private view(run: IngestRun): IngestRun {
    return {
      ...run,
      chunksDone: this.chunks.get(run.runId)?.size ?? 0,
      bucketsDone: this.buckets.get(run.runId)?.size ?? 0,
      partsPublished: this.published.get(run.runId)?.size ?? 0,
    };
  }
  /** The run last created, as stored. */
  latest(): IngestRun | undefined {
    return [...this.records.values()].at(-1);
  }
  /** Puts a record as it is, `updatedAt` included (a run as an earlier process left it). */
  seed(run: IngestRun, done: { chunks?: number[]; buckets?: number[]; parts?: string[] } = {}): void {
    this.records.set(run.runId, run);
    this.chunks.set(run.runId, new Set(done.chunks ?? []));
    this.buckets.set(run.runId, new Set(done.buckets ?? []));
    this.published.set(run.runId, new Set(done.parts ?? []));
  }
  async get(runId: string) {
    const run = this.records.get(runId);
    return run ? this.view(run) : undefined;
  }
  async create(run: NewIngestRun) {
    if (this.records.has(run.runId)) return 'exists' as const;
    this.records.set(run.runId, { ...run, publishTotal: 0, partsPublished: 0 });
    return 'created' as const;
  }
  async startPublishing(runId: string, parts: number) {
    const run = this.records.get(runId);
    if (run?.status !== 'processing' || run.failure) return false;
    this.stamp(runId, { status: 'publishing', publishTotal: parts });
    return true;
  }
  async partPublished(runId: string, bucket: number, part: number) {
    const done = this.published.get(runId) ?? new Set<string>();
    done.add(`${bucket}/${part}`);
    this.published.set(runId, done);
    this.stamp(runId, {});
    return done.size;
  }
  async chunkDone(runId: string, index: number) {
    const done = this.chunks.get(runId) ?? new Set<number>();
    done.add(index);
    this.chunks.set(runId, done);
    this.stamp(runId, {});
    return done.size;
  }
  async bucketDone(runId: string, bucket: number) {
    const done = this.buckets.get(runId) ?? new Set<number>();
    done.add(bucket);
    this.buckets.set(runId, done);
    this.stamp(runId, {});
    return done.size;
  }
  async fail(runId: string, failure: NonNullable<IngestRun['failure']>) {
    if (this.records.get(runId)?.failure) return;
    this.stamp(runId, { failure });
  }
  async finish(runId: string, status: 'done' | 'rejected', report: IngestReport) {
    this.stamp(runId, { status, report });
  }
  async ofCut(cut: string) {
    return [...this.records.values()].filter((r) => r.cut === cut).map((r) => this.view(r));
  }
  async active(updatedBefore?: string) {
    return [...this.records.values()]
      .filter((r) => isActive(r) && (updatedBefore === undefined || r.updatedAt < updatedBefore))
      .map((r) => this.view(r));
  }
  async progress(runId: string): Promise<RunProgress | undefined> {
    if (!this.records.has(runId)) return undefined;
    return {
      chunks: [...(this.chunks.get(runId) ?? [])].sort((a, b) => a - b),
      buckets: [...(this.buckets.get(runId) ?? [])].sort((a, b) => a - b),
      parts: [...(this.published.get(runId) ?? [])].sort(),
    };
  }
}

/** A run record as the planner creates it, for cut 2026-10, source rsh. */
export function runRecord(overrides: Partial<IngestRun> = {}): IngestRun {
  return {
    runId: '2026-10-rsh-0123456789abcdef',
    objectKey: 'extracts/2026-10/rsh.csv',
    cut: '2026-10',
    source: 'rsh',
    status: 'processing',
    chunkCount: 5,
    bucketCount: 3,
    chunksDone: 0,
    bucketsDone: 0,
    publishTotal: 0,
    partsPublished: 0,
    bytes: 5_000,
    createdAt: '2026-11-02T10:00:00.000Z',
    updatedAt: '2026-11-02T10:05:00.000Z',
    ...overrides,
  };
}

/**
 * The cloud ingest path's tasks (plan, chunks, reduce buckets, finalize, publish) over in-memory
 * ports: a file split into several chunks and buckets comes out as the same curated records and
 * identities a single pass would give, duplicates resolved to the earliest line; identities are
 * written only once the run is accepted, and before it is promoted.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  finalizeRun,
  planRun,
  processChunk,
  reduceBucket,
  SHUFFLE_FORMAT,
} from '../../../functions/ingest/domain/ingest-run';
import type {
  IngestRun,
  IngestTask,
  NewIngestRun,
  ObjectStore,
  RunStore,
} from '../../../functions/ingest/domain/ports';
import { workKeys } from '../../../functions/ingest/domain/ports';
import { publishPart } from '../../../functions/ingest/domain/publish-run';
import type { IngestReport } from '../../../functions/ingest/domain/report';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { checkDigit } from '../../../functions/shared/domain/run';

class MemoryStore implements ObjectStore {
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
}

class MemoryRuns implements RunStore {
  readonly runs = new Map<string, IngestRun>();
  private readonly chunks = new Map<string, Set<number>>();
  private readonly buckets = new Map<string, Set<number>>();
  private readonly published = new Map<string, Set<string>>();
  async get(runId: string) {
    const run = this.runs.get(runId);
    return run && { ...run, partsPublished: this.published.get(runId)?.size ?? 0 };
  }
  async create(run: NewIngestRun) {
    if (this.runs.has(run.runId)) return 'exists' as const;
    this.runs.set(run.runId, { ...run, publishTotal: 0, partsPublished: 0 });
    return 'created' as const;
  }
  async startPublishing(runId: string, parts: number) {
    const run = this.runs.get(runId);
    if (run?.status !== 'processing' || run.failure) return false;
    this.runs.set(runId, { ...run, status: 'publishing', publishTotal: parts });
    return true;
  }
  async partPublished(runId: string, bucket: number, part: number) {
    const done = this.published.get(runId) ?? new Set<string>();
    done.add(`${bucket}/${part}`);
    this.published.set(runId, done);
    return done.size;
  }
  async chunkDone(runId: string, index: number) {
    const done = this.chunks.get(runId) ?? new Set<number>();
    done.add(index);
    this.chunks.set(runId, done);
    return done.size;
  }
  async bucketDone(runId: string, bucket: number) {
    const done = this.buckets.get(runId) ?? new Set<number>();
    done.add(bucket);
    this.buckets.set(runId, done);
    return done.size;
  }
  async fail(runId: string, failure: NonNullable<IngestRun['failure']>) {
    const run = this.runs.get(runId);
    if (run && !run.failure) this.runs.set(runId, { ...run, failure });
  }
  async finish(runId: string, status: 'done' | 'rejected', report: IngestReport) {
    const run = this.runs.get(runId);
    if (run) this.runs.set(runId, { ...run, status, report });
  }
  async ofCut(cut: string) {
    return [...this.runs.values()].filter((r) => r.cut === cut);
  }
}

const HEADER =
  'RUN;DV;NOMBRES;APELLIDO_PATERNO;FECHA_NACIMIENTO;SEXO;FOLIO_HOGAR;TRAMO_RSH;N_PERSONAS_HOGAR;' +
  'N_DORMITORIOS;INGRESO_PER_CAPITA;ESCOLARIDAD_JEFE;JEFATURA_MONOPARENTAL;DISCAPACIDAD_HOGAR;' +
  'PUEBLO_ORIGINARIO;NACIONALIDAD;COMUNA;FECHA_ENCUESTA;ZONA';

function row(body: number, bracket: number, zone: string, dv = checkDigit(body)): string {
  return `${body};${dv};Ana María;Soto;05-03-2012;F;F${body % 7};${bracket};4;2;120.000;10;S;N;N;Chilena;13101;10-01-2026;${zone}`;
}

const pseudonymiser = createPseudonymiser('ab'.repeat(32));

interface Identity {
  readonly childId: string;
  readonly run: string;
  readonly givenNames?: string;
}

/** An identity as the store received it, with the state of the run and the cut at that moment. */
interface IdentityWrite {
  readonly identity: Identity;
  readonly runStatus: string | undefined;
  readonly promoted: boolean;
}

interface DrainOptions {
  /** Tasks that fail on every delivery; they are handled as the worker handles a last delivery. */
  readonly failing?: (task: IngestTask) => boolean;
  /** Every task is delivered twice, as SQS may. */
  readonly twice?: boolean;
}

/** Stores and queue for uploads to cut 2026-10; `drain` runs every queued task in queue order. */
function harness(sizes: { chunkBytes: number; reduceBytes: number }) {
  const queue: IngestTask[] = [];
  const writes: IdentityWrite[] = [];
  const identities: Identity[] = [];
  const scoreRequests: unknown[] = [];
  const deps = {
    raw: new MemoryStore(),
    work: new MemoryStore(),
    curated: new MemoryStore(),
    runs: new MemoryRuns(),
    tasks: { sendAll: async (t: readonly IngestTask[]) => void queue.push(...t) },
    identities: {
      putAll: async (records: Iterable<Identity> | AsyncIterable<Identity>) => {
        let written = 0;
        for await (const identity of records) {
          writes.push({
            identity,
            runStatus: [...deps.runs.runs.values()].at(-1)?.status,
            promoted: [...deps.curated.objects.keys()].some((k) => k.endsWith('/_SUCCESS.json')),
          });
          identities.push(identity);
          written++;
        }
        return { written, olderThanStored: 0 };
      },
    },
    scoreRequests: { sendAll: async (r: readonly unknown[]) => void scoreRequests.push(r) },
    pseudonymiser,
    extractsPrefix: 'extracts/',
    sizes,
  };
  const upload = (file: string, text: string): string => {
    const key = `extracts/2026-10/${file}`;
    deps.raw.objects.set(key, Buffer.from(text));
    return key;
  };
  const run = async (task: IngestTask): Promise<IngestReport | undefined> => {
    if (task.type === 'chunk') await processChunk(deps, task.runId, task.index);
    else if (task.type === 'reduce') await reduceBucket(deps, task.runId, task.bucket);
    else if (task.type === 'publish') {
      const outcome = await publishPart(deps, task.runId, task.bucket, task.part);
      if (outcome.status === 'promoted') return outcome.report;
    } else return finalizeRun(deps, task.runId);
    return undefined;
  };
  const drain = async (options: DrainOptions = {}): Promise<IngestReport | undefined> => {
    let report: IngestReport | undefined;
    for (let task = queue.shift(); task; task = queue.shift()) {
      for (let delivery = 0; delivery < (options.twice ? 2 : 1); delivery++) {
        if (options.failing?.(task)) {
          // As the worker does on a task's last delivery: the run fails, and finalize ends it.
          await deps.runs.fail(task.runId, {
            problem: 'processing-failed',
            message: `tarea ${task.type} fallida`,
          });
          queue.push({ type: 'finalize', runId: task.runId });
          break;
        }
        report = (await run(task)) ?? report;
      }
    }
    return report;
  };
  return { deps, identities, writes, scoreRequests, upload, drain, queued: (): number => queue.length };
}

/** Uploads `text` as `file` and runs every task the run queues. */
async function ingest(file: string, text: string, sizes: { chunkBytes: number; reduceBytes: number }) {
  const { deps, identities, upload, drain } = harness(sizes);
  const plan = await planRun(deps, upload(file, text));
  if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
  const report = await drain();
  const curated = deps.curated.objects;
  const records = [...curated.entries()]
    .filter(([k]) => k.includes('/run=') && k.includes('/comuna='))
    .flatMap(([, bytes]) => bytes.toString('utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const curatedText = [...curated.values()].map((b) => b.toString('utf8')).join('');
  return { plan, report, records, identities, curatedText };
}

const childOf = (body: number): string => pseudonymiser.child({ body, dv: checkDigit(body) });

describe('ingest run over chunks and buckets', () => {
  it('writes each accepted row once, the earliest of duplicates, with its identity apart', async () => {
    const bodies = Array.from({ length: 40 }, (_, i) => 20_000_000 + i * 37);
    const lines = [
      HEADER,
      ...bodies.map((b, i) => row(b, 40, i % 3 === 0 ? 'RURAL' : 'URBANA')),
      row(bodies[5] as number, 90, 'URBANA'), // a later duplicate of line 7, with another bracket
      row(30_000_000, 40, 'URBANA', checkDigit(30_000_000) === '1' ? '2' : '1'), // wrong check digit
    ];
    const { plan, report, records, identities, curatedText } = await ingest(
      'rsh.csv',
      `${lines.join('\n')}\n`,
      {
        chunkBytes: 1024,
        reduceBytes: 2048,
      },
    );

    expect(plan.chunks).toBeGreaterThan(2);
    expect(plan.buckets).toBeGreaterThan(1);
    expect(report).toMatchObject({
      status: 'accepted',
      rowsRead: 42,
      accepted: 40,
      rejected: 1,
      duplicates: 1,
    });
    expect(records).toHaveLength(40);
    const byChild = new Map(records.map((r) => [r.childId, r]));
    expect(byChild.size).toBe(40);
    for (const [i, body] of bodies.entries()) {
      expect(byChild.get(childOf(body))).toMatchObject({
        source: 'rsh',
        cut: '2026-10',
        comuna: '13101',
        rshBracket: 40, // the duplicate's 90 lost to the earlier line
        rural: i % 3 === 0,
        householdId: pseudonymiser.household(`F${body % 7}`),
      });
    }
    expect(curatedText).not.toContain('Soto');
    expect(curatedText).not.toContain(String(bodies[0]));
    expect(identities).toHaveLength(40);
    expect(new Set(identities.map((i) => i.childId))).toEqual(new Set(byChild.keys()));
    expect(identities.find((i) => i.childId === childOf(bodies[0] as number))).toMatchObject({
      givenNames: 'Ana María',
      run: expect.stringContaining('-'),
    });
  });

  it('writes one identity per child however many rows and buckets it has', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => 21_000_000 + i * 101);
    const attentions = ['CONTROL_SANO', 'SALUD_MENTAL', 'URGENCIA'];
    const lines = [
      'RUN;DV;COMUNA;FECHA_ATENCION;FECHA_REGISTRO;TIPO_ATENCION;ESTABLECIMIENTO;DIAGNOSTICO',
      ...bodies.flatMap((b) =>
        attentions.map(
          (a, j) => `${b};${checkDigit(b)};13101;0${j + 1}-09-2026;0${j + 2}-09-2026;${a};CESFAM-1;`,
        ),
      ),
    ];
    lines.push(lines[1] as string); // the same attention delivered twice
    const { plan, report, records, identities } = await ingest('salud.csv', `${lines.join('\n')}\n`, {
      chunkBytes: 512,
      reduceBytes: 512,
    });

    expect(plan.chunks).toBeGreaterThan(1);
    expect(plan.buckets).toBeGreaterThan(2);
    expect(report).toMatchObject({
      status: 'accepted',
      rowsRead: 31,
      accepted: 30,
      rejected: 0,
      duplicates: 1,
    });
    expect(records).toHaveLength(30);
    expect(new Set(records.map((r) => `${r.childId}|${r.attention}`)).size).toBe(30);
    expect(identities.map((i) => i.childId).sort()).toEqual(bodies.map(childOf).sort());
  });
  it('ends a run that a deploy caught half-way, and runs the file afresh when it is uploaded again', async () => {
    const text = `${[HEADER, ...[20_500_000, 20_500_100, 20_500_200].map((b) => row(b, 40, 'URBANA'))].join('\n')}\n`;
    const { deps, upload, drain, queued } = harness({ chunkBytes: 1024, reduceBytes: 2048 });
    const key = upload('rsh.csv', text);
    const first = await planRun(deps, key);
    if (first.status !== 'planned') throw new Error(`not planned: ${first.status}`);
    // The plan as a version of the system with another shuffle format wrote it.
    const planKey = workKeys.plan(first.runId);
    const plan = JSON.parse(deps.work.objects.get(planKey)?.toString('utf8') ?? '{}') as Record<
      string,
      unknown
    >;
    deps.work.objects.set(
      planKey,
      Buffer.from(JSON.stringify({ ...plan, shuffleFormat: SHUFFLE_FORMAT - 1 })),
    );

    const failed = await drain();
    expect(failed).toMatchObject({ status: 'rejected', error: { problem: 'processing-failed' } });
    expect(failed?.error?.message).toMatch(/otra versión del sistema.*vuelva a subir el archivo/);
    expect([...deps.curated.objects.keys()].some((k) => k.includes(`run=${first.runId}/`))).toBe(false);

    // The same S3 event again, or the same bytes uploaded again: a new attempt of the same content.
    const second = await planRun(deps, key);
    expect(second).toMatchObject({ status: 'planned', runId: `${first.runId}-r2` });
    expect(await drain()).toMatchObject({ status: 'accepted', rowsRead: 3, accepted: 3 });
    // A run that ended well is not run again.
    expect(await planRun(deps, key)).toEqual({ status: 'redelivered' });
    // A stale task of the ended first run changes nothing and queues nothing.
    const ended = await deps.runs.get(first.runId);
    await processChunk(deps, first.runId, 0);
    expect(await deps.runs.get(first.runId)).toEqual(ended);
    expect(queued()).toBe(0);
  });
});

describe('identities of an ingest run', () => {
  const bodies = Array.from({ length: 40 }, (_, i) => 22_000_000 + i * 53);
  const text = `${[HEADER, ...bodies.map((b) => row(b, 40, 'URBANA'))].join('\n')}\n`;
  const sizes = { chunkBytes: 1024, reduceBytes: 2048 };
  const rawReport = (deps: ReturnType<typeof harness>['deps']): Record<string, unknown> =>
    JSON.parse(deps.raw.objects.get('extracts/2026-10/rsh.csv.report.json')?.toString('utf8') ?? '{}');
  const promoted = (deps: ReturnType<typeof harness>['deps']): boolean =>
    deps.curated.objects.has('cut=2026-10/source=rsh/_SUCCESS.json');

  it('are written once the run is accepted, before it is promoted', async () => {
    const { deps, writes, upload, drain, scoreRequests } = harness(sizes);
    const plan = await planRun(deps, upload('rsh.csv', text));
    if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
    expect(plan.buckets).toBeGreaterThan(1);

    const report = await drain();

    expect(new Set(writes.map((w) => w.identity.childId))).toEqual(new Set(bodies.map(childOf)));
    expect(writes).toHaveLength(40);
    // Every identity went out after finalize accepted the run and before anything was promoted.
    expect(new Set(writes.map((w) => w.runStatus))).toEqual(new Set(['publishing']));
    expect(writes.some((w) => w.promoted)).toBe(false);
    expect(report).toMatchObject({ status: 'accepted', accepted: 40, identities: { written: 40 } });
    // One part per bucket at this size, each published once.
    expect(await deps.runs.get(plan.runId)).toMatchObject({
      status: 'done',
      publishTotal: plan.buckets,
      partsPublished: plan.buckets,
    });
    expect(promoted(deps)).toBe(true);
    expect(rawReport(deps)).toMatchObject({
      status: 'accepted',
      identities: { written: 40, olderThanStored: 0 },
    });
    expect(scoreRequests).toEqual([[{ cut: '2026-10', comuna: '13101' }]]);
  });

  it('are never written for a run refused for its manifest', async () => {
    const { deps, writes, upload, drain } = harness(sizes);
    deps.raw.objects.set(
      'extracts/2026-10/manifest.json',
      Buffer.from(
        JSON.stringify({
          cut: '2026-10',
          files: [{ name: 'rsh.csv', source: 'rsh', rows: 41, bytes: text.length, sha256: 'a'.repeat(64) }],
        }),
      ),
    );
    // Refused at planning or at finalize: either way nothing of it is written.
    await planRun(deps, upload('rsh.csv', text));
    await drain();

    expect(rawReport(deps)).toMatchObject({ status: 'rejected', error: { problem: 'manifest-mismatch' } });
    expect(writes).toEqual([]);
    expect(promoted(deps)).toBe(false);
  });

  it('are never written for a run whose processing failed', async () => {
    const { deps, writes, upload, drain } = harness(sizes);
    const plan = await planRun(deps, upload('rsh.csv', text));
    if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);

    // The last reduce task keeps failing after the others have finished.
    await drain({ failing: (t) => t.type === 'reduce' && t.bucket === plan.buckets - 1 });

    expect(rawReport(deps)).toMatchObject({ status: 'rejected', error: { problem: 'processing-failed' } });
    expect(writes).toEqual([]);
    expect(promoted(deps)).toBe(false);
  });

  it('that fail to be published end the run unpromoted, and uploading it again finishes it', async () => {
    const { deps, writes, upload, drain } = harness(sizes);
    const key = upload('rsh.csv', text);
    const first = await planRun(deps, key);
    if (first.status !== 'planned') throw new Error(`not planned: ${first.status}`);

    const failed = await drain({ failing: (t) => t.type === 'publish' && t.bucket === 1 && t.part === 0 });

    expect(failed).toMatchObject({ status: 'rejected', error: { problem: 'processing-failed' } });
    expect(failed?.error?.message).toMatch(/aceptado.*vuelva a subirlo/);
    expect(await deps.runs.get(first.runId)).toMatchObject({ status: 'rejected' });
    expect(promoted(deps)).toBe(false);
    expect(writes.length).toBeLessThan(40);

    const second = await planRun(deps, key);
    expect(second).toMatchObject({ status: 'planned', runId: `${first.runId}-r2` });
    expect(await drain()).toMatchObject({ status: 'accepted', identities: { written: 40 } });
    expect(new Set(writes.map((w) => w.identity.childId)).size).toBe(40);
    expect(
      JSON.parse(deps.curated.objects.get('cut=2026-10/source=rsh/_SUCCESS.json')?.toString() ?? '{}'),
    ).toMatchObject({ runId: `${first.runId}-r2` });
  });

  it('are counted once and promoted once when every task is delivered twice', async () => {
    const { deps, writes, upload, drain, scoreRequests } = harness(sizes);
    const plan = await planRun(deps, upload('rsh.csv', text));
    if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);

    const report = await drain({ twice: true });

    expect(report).toMatchObject({
      status: 'accepted',
      rowsRead: 40,
      accepted: 40,
      identities: { written: 40 },
    });
    expect(new Set(writes.map((w) => w.identity.childId)).size).toBe(40);
    expect(writes.every((w) => w.runStatus === 'publishing' && !w.promoted)).toBe(true);
    expect(scoreRequests).toHaveLength(1);
    // A publish task arriving after promotion writes nothing.
    const before = writes.length;
    expect(await publishPart(deps, plan.runId, 0, 0)).toEqual({ status: 'skipped' });
    expect(writes).toHaveLength(before);
  });

  it('of a large bucket are published in parts, a task each, and the run is promoted after the last', async () => {
    const { deps, writes, upload, drain } = harness({
      chunkBytes: 4 * 1024 ** 2,
      reduceBytes: 64 * 1024 ** 2,
    });
    const address = `Pasaje ${'Los Aromos '.repeat(14)}`.slice(0, 150);
    const many = Array.from({ length: 35_000 }, (_, i) => 23_000_000 + i * 7);
    const big = `${[`${HEADER};DIRECCION`, ...many.map((b) => `${row(b, 40, 'URBANA')};${address}`)].join('\n')}\n`;
    const plan = await planRun(deps, upload('rsh.csv', big));
    if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
    expect(plan.buckets).toBe(1);

    const report = await drain();

    const run = await deps.runs.get(plan.runId);
    expect(run?.publishTotal).toBeGreaterThan(1);
    expect(run).toMatchObject({ status: 'done', partsPublished: run?.publishTotal });
    expect(report).toMatchObject({ status: 'accepted', accepted: 35_000, identities: { written: 35_000 } });
    expect(new Set(writes.map((w) => w.identity.childId)).size).toBe(35_000);
    expect(writes.every((w) => w.runStatus === 'publishing' && !w.promoted)).toBe(true);
  });
});

/**
 * The cloud ingest path's tasks (plan, chunks, reduce buckets, finalize, publish) over in-memory
 * ports: a file split into several chunks and buckets comes out as the same curated records and
 * identities a single pass would give, duplicates resolved to the earliest line; identities are
 * written only once the run is accepted, and before it is promoted.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  finalizeRun,
  planRun,
  processChunk,
  reduceBucket,
  SHUFFLE_FORMAT,
} from '../../../functions/ingest/domain/ingest-run';
import type { IngestTask } from '../../../functions/ingest/domain/ports';
import { workKeys } from '../../../functions/ingest/domain/ports';
import { publishPart } from '../../../functions/ingest/domain/publish-run';
import type { IngestReport } from '../../../functions/ingest/domain/report';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { checkDigit } from '../../../functions/shared/domain/run';
import { manifestOf } from '../fixtures';
import { MemoryRuns, MemoryStore } from './memory-ports';

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
            runStatus: deps.runs.latest()?.status,
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
  const declared: { name: string; bytes: Buffer }[] = [];
  /** Uploads a file, declared in the cut's manifest as it is (unless `declare` is false). */
  const upload = (file: string, text: string | Buffer, declare = true): string => {
    const key = `extracts/2026-10/${file}`;
    const bytes = Buffer.from(text);
    deps.raw.objects.set(key, bytes);
    if (declare) {
      const others = declared.filter((d) => d.name !== file);
      declared.splice(0, declared.length, ...others, { name: file, bytes });
      deps.raw.objects.set(
        'extracts/2026-10/manifest.json',
        Buffer.from(JSON.stringify(manifestOf('2026-10', declared))),
      );
    }
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

  it('carries an open inconsistency only while its institution sends nothing, and closes it when the institution reports without the record', async () => {
    const { deps, drain } = harness({ chunkBytes: 1024, reduceBytes: 2048 });
    const header =
      'RUN;DV;NOMBRES;APELLIDO_PATERNO;APELLIDO_MATERNO;SEXO;FECHA_NACIMIENTO;NACIONALIDAD;COMUNA;' +
      'CODIGO_PROYECTO;MODELO;CAUSAL_INGRESO;FECHA_INGRESO;FECHA_REGISTRO_INGRESO;CONTACTO_NOMBRE;CONTACTO_RELACION';
    // No contact person: one completeness inconsistency per row.
    const entry = (body: number, project: string): string =>
      `${body};${checkDigit(body)};Ana;Soto;Díaz;F;2015-03-02;Chilena;13101;${project};PPF;NEGLIGENCIA;2026-09-01;2026-09-02;;`;
    const [a, b, c, d] = [22_000_001, 22_000_002, 22_000_003, 22_000_004];
    const cutOf = async (cut: string, rows: string[]) => {
      const key = `extracts/${cut}/proteccion.csv`;
      const bytes = Buffer.from(`${[header, ...rows].join('\n')}\n`);
      deps.raw.objects.set(key, bytes);
      deps.raw.objects.set(
        `extracts/${cut}/manifest.json`,
        Buffer.from(JSON.stringify(manifestOf(cut, [{ name: 'proteccion.csv', bytes }]))),
      );
      const plan = await planRun(deps, key);
      if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
      await drain();
      const text = (k: string) => deps.curated.objects.get(k)?.toString('utf8') ?? '';
      const quality = JSON.parse(text(`quality/${cut}/proteccion.json`)) as {
        total: { counts: { carried: number } };
        entries: {
          institution: string;
          counts: { rows: number; carried: number };
          scores: { ici: number | null };
        }[];
      };
      const open = text(`quality/${cut}/proteccion.open.ndjson`)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { k: string; q: string; since: string });
      const childOfKey = (k: string) => k.split('|')[1];
      return {
        carried: quality.total.counts.carried,
        entries: quality.entries,
        open: open.map((o) => [childOfKey(o.k), o.since]).sort(),
      };
    };

    const october = await cutOf('2026-10', [entry(a, 'P1'), entry(b, 'P1'), entry(c, 'P2')]);
    expect(october.open).toHaveLength(3);

    // P1 reports without A's record: A is closed. P2 sends nothing: C is counted again.
    const november = await cutOf('2026-11', [entry(b, 'P1')]);
    expect(november.carried).toBe(1);
    expect(november.open).toEqual(
      [
        [childOf(b), '2026-10'],
        [childOf(c), '2026-10'],
      ].sort(),
    );
    const p2 = november.entries.find((e) => e.institution === 'Proyecto P2');
    expect(p2).toMatchObject({ counts: { rows: 0, carried: 1 }, scores: { ici: null } });

    // P2 reports again, without C's record: C is closed; D is new.
    const december = await cutOf('2026-12', [entry(b, 'P1'), entry(d, 'P2')]);
    expect(december.carried).toBe(0);
    expect(december.open).toEqual(
      [
        [childOf(b), '2026-10'],
        [childOf(d), '2026-12'],
      ].sort(),
    );
  });
});

describe('a file that cannot be read whole is still answered, row by row', () => {
  const good = (i: number): string => row(22_000_000 + i * 13, 40, 'URBANA');
  /** A registry file with one row of each structural defect among good rows. */
  function defective(): { text: Buffer; badLines: number[]; goodRows: number } {
    const lines = [HEADER];
    for (let i = 0; i < 30; i++) lines.push(good(i));
    lines.push(`${good(100).replace('Ana María', 'Ana "la Mari" María')}`); // stray quote
    lines.push(good(101).replace('Soto', 'So\u0000to')); // NUL byte
    lines.push(good(102).replace('Ana María', 'A'.repeat(5000))); // a field over the limit
    lines.push(`"${good(103)}`); // a quote never closed
    for (let i = 30; i < 60; i++) lines.push(good(i));
    return { text: Buffer.from(`${lines.join('\n')}\n`), badLines: [32, 33, 34, 35], goodRows: 60 };
  }

  it.each([256, 1024, 1 << 20])(
    'quarantines each malformed row with its line and accepts the rest (chunks of %i bytes)',
    async (chunkBytes) => {
      const { deps, upload, drain, identities } = harness({ chunkBytes, reduceBytes: 4096 });
      const { text, badLines, goodRows } = defective();
      const plan = await planRun(deps, upload('rsh.csv', text));
      expect(plan.status).toBe('planned');
      const report = await drain();
      expect(report).toMatchObject({
        status: 'accepted',
        rowsRead: goodRows + 4,
        accepted: goodRows,
        rejected: 4,
        quarantinedForStructure: 3,
        fieldsTooLong: 1,
      });
      const quarantined = [...deps.raw.objects.entries()]
        .filter(([k]) => k.includes('.rejected/'))
        .flatMap(([, b]) => b.toString('utf8').trim().split('\n'))
        .map((l) => JSON.parse(l) as { line: number; reason: string });
      expect(quarantined.map((q) => q.line).sort((a, b) => a - b)).toEqual(badLines);
      expect(quarantined.find((q) => q.line === 34)?.reason).toContain('5000 caracteres');
      expect(identities).toHaveLength(goodRows);
    },
  );

  it('leaves a line over the record limit out of every chunk, holding none of it', async () => {
    const { deps, upload, drain } = harness({ chunkBytes: 512, reduceBytes: 4096 });
    const readOptions = { maxFieldChars: 4096, maxDecompressedBytes: 1 << 30, maxRecordBytes: 4096 };
    const long = 'x'.repeat(3 << 20);
    const text = gzipSync(Buffer.from(`${HEADER}\n${good(1)}\n${long}\n${good(2)}\n${good(3)}\n`));
    const plan = await planRun({ ...deps, readOptions }, upload('rsh.csv.gz', text));
    expect(plan.status, JSON.stringify(plan).slice(0, 600)).toBe('planned');
    const stored = [...deps.work.objects.entries()].filter(([k]) => k.includes('/chunks/'));
    expect(stored.reduce((n, [, b]) => n + b.length, 0)).toBeLessThan(4096);
    const report = await drain();
    expect(report).toMatchObject({ status: 'accepted', rowsRead: 4, accepted: 3, rejected: 1 });
    expect(report?.quarantinedForStructure).toBe(1);
  });

  it('refuses a file most of whose records are malformed, with a report', async () => {
    const { deps, upload } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    const lines = [HEADER, ...Array.from({ length: 40 }, (_, i) => `x"${i}`), good(1)];
    const plan = await planRun(deps, upload('rsh.csv', `${lines.join('\n')}\n`));
    expect(plan).toMatchObject({ status: 'rejected', report: { error: { problem: 'too-many-malformed' } } });
    expect(deps.raw.objects.has('extracts/2026-10/rsh.csv.report.json')).toBe(true);
  });

  it('reads a UTF-8 file with one Latin-1 line in both encodings, and names the line', async () => {
    const { deps, upload, drain, identities } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    const utf8 = Buffer.from(`${HEADER}\n${good(1).replace('Ana María', 'María José')}\n`, 'utf8');
    const latin1 = Buffer.from(`${good(2).replace('Soto', 'Muñoz')}\n`, 'latin1');
    await planRun(deps, upload('rsh.csv', Buffer.concat([utf8, latin1])));
    const report = await drain();
    expect(report?.encoding).toEqual({ detected: 'utf-8', linesInOtherEncoding: 1, lines: [3] });
    expect(report?.layout?.encoding).toBe('utf-8');
    const names = identities.map((i) => `${i.givenNames}`).sort();
    expect(names).toEqual(['Ana María', 'María José']);
    expect(JSON.stringify(identities)).toContain('Muñoz');
    expect(JSON.stringify(identities)).not.toContain('Ã');
  });
});

describe('the manifest is the contract of a cut', () => {
  const text = `${HEADER}\n${row(23_000_001, 40, 'URBANA')}\n${row(23_000_002, 40, 'URBANA')}\n`;
  const planned = async (
    manifest: unknown,
  ): Promise<{ report: IngestReport | undefined; status: string; identities: readonly unknown[] }> => {
    const { deps, upload, identities } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    const key = upload('rsh.csv', text, false);
    if (manifest !== undefined)
      deps.raw.objects.set('extracts/2026-10/manifest.json', Buffer.from(JSON.stringify(manifest)));
    const plan = await planRun(deps, key);
    const stored = deps.raw.objects.get(`${key}.report.json`);
    return {
      status: plan.status,
      report: stored ? (JSON.parse(stored.toString('utf8')) as IngestReport) : undefined,
      identities,
    };
  };
  const honest = manifestOf('2026-10', [{ name: 'rsh.csv', bytes: Buffer.from(text) }]);

  it('refuses a file whose cut has no manifest, saying so', async () => {
    const out = await planned(undefined);
    expect(out.status).toBe('rejected');
    expect(out.report?.error?.problem).toBe('manifest-missing');
    expect(out.report?.manifest).toMatchObject({ declared: false, checked: [] });
  });

  it.each<[string, unknown, string]>([
    ['of another cut', { ...honest, cut: '2026-09' }, 'corte 2026-09'],
    [
      'with another source for the file',
      { ...honest, files: [{ ...honest.files[0], source: 'salud' }] },
      'salud',
    ],
    ['with another row count', { ...honest, files: [{ ...honest.files[0], rows: 7 }] }, 'filas'],
    [
      'with another SHA-256',
      { ...honest, files: [{ ...honest.files[0], sha256: 'a'.repeat(64) }] },
      'SHA-256',
    ],
    ['that is not a manifest', { cut: '2026-10' }, 'no es válido'],
  ])('refuses a file against a manifest %s, before any task runs', async (_name, manifest, words) => {
    const out = await planned(manifest);
    expect(out.status).toBe('rejected');
    expect(out.report?.error?.message).toContain(words);
    expect(out.identities).toHaveLength(0);
  });

  it('counts the rows it read in a mismatch report', async () => {
    const out = await planned({ ...honest, files: [{ ...honest.files[0], rows: 7 }] });
    expect(out.report).toMatchObject({ rowsRead: 2, accepted: 0, rejected: 2 });
    expect(out.report?.manifest?.checked).toEqual(['corte', 'fuente', 'bytes', 'sha256', 'filas']);
  });

  it('says in an accepted report what it checked', async () => {
    const { deps, upload, drain } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    await planRun(deps, upload('rsh.csv', text));
    const report = await drain();
    expect(report?.status).toBe('accepted');
    expect(report?.manifest).toMatchObject({
      declared: true,
      problems: [],
      checked: ['corte', 'fuente', 'bytes', 'sha256', 'filas'],
    });
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
    // Refused at planning, before any task runs: nothing of it is written.
    await planRun(deps, upload('rsh.csv', text, false));
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

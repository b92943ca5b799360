/**
 * The whole pipeline on the local stand-ins (dynalite, s3rver, fauxqs on free ports): an extract
 * uploaded to S3 is ingested, scored with the ONNX model and served over HTTP; alerts travel
 * through SQS to the roster; bad files and poison messages are contained.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  CreateTableCommand,
  DeleteTableCommand,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../functions/ingest/domain/contracts';
import { ingestExtract } from '../../functions/ingest/domain/ingest-extract';
import { OnnxModelRunner } from '../../functions/score/adapters/onnx-model-runner';
import { PRIORITISATION } from '../../functions/shared/domain/prioritisation';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { parseRun } from '../../functions/shared/domain/run';
import { signToken } from '../../local/auth';
import type { LocalSystem } from '../../local/runtime';
import { LocalStateError, startLocalSystem } from '../../local/runtime';
import type { GeneratedCut } from '../../tools/generate/generator';
import { generateCut } from '../../tools/generate/generator';
import { manifestOf } from '../unit/fixtures';
import { fetchChecked } from './api-contract';

/**
 * A RUN standing as a value of its own (with or without dots), not a run of digits inside another
 * token: a random UUID may well start with eight digits and a dash.
 */
const RUN_TOKEN = /(?<![\w.-])\d{1,2}\.?\d{3}\.?\d{3}-[\dK](?![\w-])/;

interface RosterBody {
  currentCut: string | null;
  modelVersion: string | null;
  nextCursor: string | null;
  entries: {
    rank: number;
    childId: string;
    origin: string;
    provisional: boolean;
    probability: number | null;
    ventile: number | null;
    reasons: { feature: string; text: string; concerns: string }[];
    demotion: { rule: string; text: string } | null;
    alerts: { alertId: string; urgent: boolean; repeatReports: number }[];
  }[];
}

/** Roster order: the model's head, then the children the head rule ranks after it, each by probability. */
function orderKeys(entries: RosterBody['entries']): [number, number][] {
  return entries.map((e) => [e.demotion ? 1 : 0, -(e.probability ?? -1)]);
}

/** Small ingest chunks, so that even a test file fans out over several chunk and reduce tasks. */
const SMALL_CHUNKS = { INGEST_CHUNK_BYTES: '16384', INGEST_REDUCE_BYTES: '32768' };

let local: LocalSystem;
let dataDir: string;
let cut: GeneratedCut;
/** The report of the cut's registry file as first uploaded, ingested without interruption. */
let firstRshReport: Record<string, unknown>;

/** Every answer is held to docs/openapi.json: its route, status and body schema. */
const api = async (path: string, init: RequestInit = {}) => {
  const { status, body } = await fetchChecked(`${local.apiUrl}${path}`, init);
  return { status, body };
};
const roster = async (comuna: string, query = 'limit=50') =>
  (await api(`/v1/comunas/${comuna}/roster?${query}`)).body as unknown as RosterBody;
/** Every entry of a comuna's roster, page after page. */
const allEntries = async (comuna: string): Promise<RosterBody['entries']> => {
  const entries: RosterBody['entries'] = [];
  let query = 'limit=500';
  for (;;) {
    const page = await roster(comuna, query);
    entries.push(...page.entries);
    if (!page.nextCursor) return entries;
    query = `limit=500&cursor=${page.nextCursor}`;
  }
};
const postAlert = (body: unknown) =>
  api('/v1/alerts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const upload = (key: string, body: Buffer | string) =>
  local.clients.s3.send(new PutObjectCommand({ Bucket: local.names.buckets.raw, Key: key, Body: body }));
const declared = new Map<string, { name: string; bytes: Buffer; rows?: number }[]>();
/** Uploads a file after declaring it, as it is, in its cut's manifest (as the data team's CLI does). */
const uploadDeclared = async (key: string, body: Buffer | string, rows?: number): Promise<void> => {
  const [, folder, name] = /^extracts\/([^/]+)\/(.+)$/.exec(key) ?? [];
  if (!folder || !name) throw new Error(`not an extract key: ${key}`);
  const bytes = Buffer.from(body);
  const files = (declared.get(folder) ?? []).filter((f) => f.name !== name);
  files.push({ name, bytes, ...(rows === undefined ? {} : { rows }) });
  declared.set(folder, files);
  await upload(`extracts/${folder}/manifest.json`, JSON.stringify(manifestOf(folder, files)));
  await upload(key, bytes);
};
const readJson = async (bucket: string, key: string) => {
  const out = await local.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await out.Body?.transformToString()) ?? '{}') as Record<string, unknown>;
};

/** A record as JSON with its keys in order, so that two writers' records compare as text. */
const canonicalJson = (record: object): string =>
  JSON.stringify(Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1))));
/** Every curated record a run wrote for a source of cut 2026-10, as canonical JSON. */
const curatedRecordsOf = async (source: string, runId: string): Promise<string[]> => {
  const records: string[] = [];
  let token: string | undefined;
  do {
    const page = await local.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: local.names.buckets.curated,
        Prefix: `cut=2026-10/source=${source}/run=${runId}/`,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const { Key } of page.Contents ?? []) {
      const out = await local.clients.s3.send(
        new GetObjectCommand({ Bucket: local.names.buckets.curated, Key }),
      );
      for (const line of ((await out.Body?.transformToString()) ?? '').split('\n').filter(Boolean)) {
        records.push(canonicalJson(JSON.parse(line) as object));
      }
    }
    token = page.NextContinuationToken;
  } while (token);
  return records;
};
/** Every record of the identity table, with the fields of an identity record. */
const identityRecords = async (): Promise<Record<string, string>[]> => {
  const fields = [
    'childId',
    'run',
    'comuna',
    'givenNames',
    'paternalSurname',
    'maternalSurname',
    'address',
    'birthDate',
    'source',
    'cut',
  ];
  const records: Record<string, string>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await local.clients.dynamodb.send(
      new ScanCommand({
        TableName: local.names.tables.identities,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      records.push(
        Object.fromEntries(
          fields.flatMap((f) => (item[f]?.S === undefined ? [] : [[f, item[f]?.S as string]])),
        ),
      );
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return records;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'san-it-'));
  local = await startLocalSystem({
    dataDir,
    port: 0,
    reset: true,
    retryDelaySeconds: 0,
    envOverrides: SMALL_CHUNKS,
  });
  cut = generateCut({ children: 600, seed: 11, cut: '2026-10' });
  await upload(`extracts/${cut.cut}/manifest.json`, JSON.stringify(cut.manifest));
  for (const file of cut.files) await upload(`extracts/${cut.cut}/${file.name}`, file.bytes);
  await local.whenIdle(120_000);
  // Kept before a later test replaces the registry file of the cut with a corrected one.
  firstRshReport = await readJson(local.names.buckets.raw, `extracts/${cut.cut}/rsh.csv.report.json`);
});

afterAll(async () => {
  await local?.stop();
});

describe('from S3 upload to the roster over HTTP', () => {
  it('writes an ingest report per file, fanned out over chunks, identical to a single-pass read', async () => {
    let identityTable: Record<string, string>[] | undefined;
    const pseudonymiser = createPseudonymiser(
      (await readFile(join(dataDir, 'pseudonym.key'), 'utf8')).trim(),
    );
    for (const file of cut.files) {
      const report = await readJson(local.names.buckets.raw, `extracts/${cut.cut}/${file.name}.report.json`);
      expect(report.status).toBe('accepted');
      if (file.bytes.length > 4 * 16_384) expect(report.chunks).toBeGreaterThan(3);
      identityTable ??= await identityRecords();
      const single = await ingestExtract({
        contract: CONTRACTS[file.source],
        cut: cut.cut,
        objectKey: file.name,
        body: Readable.from([file.bytes]),
        pseudonymiser,
      });
      for (const field of [
        'rowsRead',
        'accepted',
        'rejected',
        'duplicates',
        'acceptedByComuna',
        'rejectionsByReason',
      ]) {
        expect(report[field]).toEqual(single.report[field as keyof typeof single.report]);
      }
      const quarantined: { line: number }[] = [];
      for (const key of report.quarantine as string[]) {
        const body = await local.clients.s3.send(
          new GetObjectCommand({ Bucket: local.names.buckets.raw, Key: key }),
        );
        for (const line of ((await body.Body?.transformToString()) ?? '').split('\n').filter(Boolean)) {
          quarantined.push(JSON.parse(line) as { line: number });
        }
      }
      expect(quarantined.map((q) => q.line)).toEqual(single.quarantine.map((q) => q.line));
      // Not only the counts: the curated records and the identities the two write are the same.
      const written = await curatedRecordsOf(file.source, String(report.runId));
      expect(written).toHaveLength(Number(report.accepted));
      expect(written.sort()).toEqual([...single.partitions.values()].flat().map(canonicalJson).sort());
      const stored = identityTable.filter((i) => i.source === file.source).map(canonicalJson);
      expect(stored.sort()).toEqual(single.identities.map(canonicalJson).sort());
    }
  });

  it('ingests a gzip upload and processes an identical re-upload only once', async () => {
    const rsh = cut.files.find((f) => f.name === 'rsh.csv');
    if (!rsh) throw new Error('no rsh file');
    await uploadDeclared('extracts/2026-08/rsh.csv.gz', gzipSync(rsh.bytes), rsh.rows);
    await local.whenIdle();
    const gz = await readJson(local.names.buckets.raw, 'extracts/2026-08/rsh.csv.gz.report.json');
    expect(gz).toMatchObject({
      status: 'accepted',
      layout: { gzip: true, encoding: 'windows-1252', delimiter: ';' },
    });
    const plain = await readJson(local.names.buckets.raw, 'extracts/2026-10/rsh.csv.report.json');
    expect(gz.accepted).toBe(plain.accepted);

    // The same content uncompressed: same cut, same source, same bytes once decompressed.
    await uploadDeclared('extracts/2026-08/rsh.csv', rsh.bytes, rsh.rows);
    await local.whenIdle();
    const copy = await readJson(local.names.buckets.raw, 'extracts/2026-08/rsh.csv.report.json');
    expect(copy.status).toBe('already-ingested');
    expect(copy.runId).toBe(gz.runId);

    // S3 delivers events at least once: a repeated event changes nothing.
    const event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: local.names.buckets.raw }, object: { key: 'extracts/2026-08/rsh.csv.gz' } },
        },
      ],
    };
    const again = (await local.invoke('ingest', event)) as { plans: { status: string }[] };
    expect(again.plans[0]?.status).toBe('redelivered');
  });

  it('serves a ranked nómina scored by the deployed ONNX model, with ventiles and reasons', async () => {
    const model = await OnnxModelRunner.fromBytes(await readFile('layers/model/risk-model.onnx'));
    const body = await roster('13101');
    expect(body.currentCut).toBe('2026-10');
    expect(body.modelVersion).toBe(model.info.version);
    expect(body.entries.length).toBe(50);
    const keys = orderKeys(body.entries);
    expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    // The head rule (functions/shared/config/prioritisation.json): demoted exactly when no shown reason concerns the child.
    for (const e of body.entries) {
      expect(e.demotion !== null).toBe(
        PRIORITISATION.requireChildSignal && !e.reasons.some((r) => r.concerns === 'niño'),
      );
    }
    expect(body.entries.map((e) => e.rank)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const e of body.entries) {
      expect(e.ventile).toBeGreaterThanOrEqual(1);
      expect(e.ventile).toBeLessThanOrEqual(20);
      expect(e.reasons.length).toBeLessThanOrEqual(3);
      expect(e.childId).toMatch(/^n-/);
    }
    expect(body.entries[0]?.reasons.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(RUN_TOKEN);

    const next = await roster('13101', `limit=50&cursor=${body.nextCursor}`);
    expect(next.entries[0]?.rank).toBe(51);
    const [lastTier, lastKey] = keys[49] ?? [0, 0];
    const [nextTier, nextKey] = orderKeys(next.entries)[0] ?? [0, 0];
    expect(nextTier > lastTier || (nextTier === lastTier && nextKey >= lastKey)).toBe(true);
  });

  it("writes the comuna's drift report per scored cut; the first says it has no previous cut", async () => {
    const first = await api('/v1/comunas/13101/drift/2026-10');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      comuna: { code: '13101', name: 'Santiago' },
      cut: '2026-10',
      previousCut: null,
      score: null,
      features: [],
    });
    expect(String(first.body.message)).toMatch(/no hay un corte anterior/);
    expect((await api('/v1/comunas/13101/drift/2026-09')).status).toBe(404);
  });

  it('writes dashboard snapshots when the schedule fires', async () => {
    await local.runSchedule('rosterSnapshot');
    const index = await readJson(local.names.buckets.snapshots, 'latest/index.json');
    expect((index.comunas as unknown[]).length).toBe(12);
    const santiago = await readJson(local.names.buckets.snapshots, 'latest/13101.json');
    const ventiles = santiago.ventiles as number[];
    expect(ventiles.reduce((s, v) => s + v, 0)).toBe((santiago.totals as { entries: number }).entries);
  });
});

describe('ingest progress', () => {
  it('lists the runs of a cut with their tasks done and their reports', async () => {
    const response = await api('/v1/cuts/2026-10');
    expect(response.status).toBe(200);
    const runs = response.body.runs as {
      objectKey: string;
      status: string;
      chunks: { done: number; total: number };
      buckets: { done: number; total: number };
      publish: { done: number; total: number };
    }[];
    expect(runs.map((r) => r.objectKey.split('/').at(-1)).sort()).toEqual(
      cut.files.map((f) => f.name).sort(),
    );
    for (const r of runs) {
      expect(r.status).toBe('done');
      expect(r.chunks.done).toBe(r.chunks.total);
      // Identities are published bucket by bucket once the run is accepted.
      expect(r.publish).toEqual({ done: r.buckets.total, total: r.buckets.total });
    }
    const token = signToken(local.jwtKey, {
      sub: 'c',
      'custom:role': 'coordinador',
      'custom:comunas': '13101',
    });
    expect((await api('/v1/cuts/2026-10', { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      403,
    );
  });
});

describe('data-quality index', () => {
  it('serves each source index for the cut, restricted to the caller comunas', async () => {
    const all = await api('/v1/quality/2026-10');
    expect(all.status).toBe(200);
    const sources = all.body.sources as {
      source: string;
      scores: { ici: number };
      cumulative: { months: number };
    }[];
    expect(sources.map((s) => s.source).sort()).toEqual(cut.files.map((f) => f.source).sort());
    for (const s of sources) {
      expect(s.scores.ici).toBeGreaterThan(0);
      expect(s.scores.ici).toBeLessThanOrEqual(100);
    }
    const token = signToken(local.jwtKey, {
      sub: 'c',
      'custom:role': 'coordinador',
      'custom:comunas': '13101',
    });
    const own = await api('/v1/quality/2026-10/proteccion', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(own.status).toBe(200);
    const comunas = new Set((own.body.entries as { comuna: string }[]).map((e) => e.comuna));
    expect([...comunas]).toEqual(['13101']);
    const manager = signToken(local.jwtKey, {
      sub: 'g',
      'custom:role': 'gestor_casos',
      'custom:comunas': '13101',
    });
    expect(
      (await api('/v1/quality/2026-10', { headers: { authorization: `Bearer ${manager}` } })).status,
    ).toBe(403);
    expect((await api('/v1/quality/2026-10/vacunas')).status).toBe(400);
  });

  it('counts an open inconsistency again while its institution sends nothing, and closes it once the institution reports without the record', async () => {
    const protection = cut.files.find((f) => f.source === 'proteccion');
    if (!protection) throw new Error('no protection file');
    const openOf = async (c: string): Promise<{ k: string; q: string; since: string }[]> => {
      const out = await local.clients.s3.send(
        new GetObjectCommand({
          Bucket: local.names.buckets.curated,
          Key: `quality/${c}/proteccion.open.ndjson`,
        }),
      );
      return ((await out.Body?.transformToString()) ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { k: string; q: string; since: string });
    };
    const carriedIn = async (c: string): Promise<number> =>
      (
        (await readJson(local.names.buckets.curated, `quality/${c}/proteccion.json`)).total as {
          counts: { carried: number };
        }
      ).counts.carried;
    const october = await openOf('2026-10');
    expect(october.length).toBeGreaterThan(0);
    expect(JSON.stringify(october)).not.toMatch(RUN_TOKEN);

    // November's extract has no rows: no institution has corrected anything, so every October
    // inconsistency is still open and counts again; the file itself measures nothing.
    const headerOnly = protection.bytes.subarray(0, protection.bytes.indexOf(0x0a) + 1);
    await uploadDeclared('extracts/2026-11/proteccion.csv', headerOnly);
    await local.whenIdle();
    const november = await readJson(local.names.buckets.curated, 'quality/2026-11/proteccion.json');
    expect(await carriedIn('2026-11')).toBe(october.length);
    expect(await openOf('2026-11')).toHaveLength(october.length);
    const total = (november.total as { scores: { ici: number | null; note?: string } }).scores;
    expect(total.ici).toBeNull();
    expect(total.note).toMatch(/^Sin filas en este extracto/);
    const served = (await api('/v1/quality/2026-11')).body.sources as {
      source: string;
      scores: { ici: number | null };
      lowest: unknown[];
    }[];
    expect(served.find((x) => x.source === 'proteccion')).toMatchObject({
      scores: { ici: null },
      lowest: [],
    });

    // December brings every record again, unchanged: nothing is carried, the same ones stay open.
    await uploadDeclared('extracts/2026-12/proteccion.csv', protection.bytes, protection.rows);
    await local.whenIdle();
    expect(await carriedIn('2026-12')).toBe(0);
    const december = await openOf('2026-12');
    expect(december).toHaveLength(october.length);
    expect(new Set(december.map((e) => e.since))).toEqual(new Set(['2026-10']));

    // January: project X sends nothing, project Y only its first row, the others all their rows.
    const byInstitution = new Map<string, number>();
    for (const e of december) byInstitution.set(e.q, (byInstitution.get(e.q) ?? 0) + 1);
    const [x, y] = [...byInstitution.entries()].filter(([, n]) => n >= 2).map(([q]) => q);
    if (!x || !y) throw new Error('expected two projects with several open inconsistencies');
    const text = protection.bytes.toString('utf8');
    const [head, ...rows] = text.split('\n');
    const institutionOf = (row: string): string => {
      const f = row.split(';');
      return `Proyecto ${f[9]}|${f[8]}`;
    };
    const firstOfY = rows.find((r) => institutionOf(r) === y);
    const january = [
      head,
      ...rows.filter((r) => r !== '' && institutionOf(r) !== x && institutionOf(r) !== y),
      firstOfY,
      '',
    ].join('\n');
    await uploadDeclared('extracts/2027-01/proteccion.csv', january);
    await local.whenIdle();
    const janOpen = await openOf('2027-01');
    const count = (list: { q: string }[], q: string) => list.filter((e) => e.q === q).length;
    // X has not corrected: its inconsistencies are counted again. Y's later extract no longer has
    // the records: they are closed, at most its one row sent may still be open.
    expect(count(janOpen, x)).toBe(byInstitution.get(x));
    expect(await carriedIn('2027-01')).toBe(byInstitution.get(x));
    expect(count(janOpen, y)).toBeLessThanOrEqual(1);
    for (const [q, n] of byInstitution) if (q !== x && q !== y) expect(count(janOpen, q), q).toBe(n);
  });
});

describe('alerts through SQS', () => {
  it('moves a known child to the top, counts a repeat report, and adds an unknown child as provisional', async () => {
    const candidates = cut.truth.filter((t) => t.comuna === '13101');
    let childId: string | undefined;
    let run: string | undefined;
    for (const t of candidates) {
      const first = await postAlert({
        run: t.run,
        comuna: '13101',
        riskFactor: 'negligencia_o_violencia',
        description: 'Lesiones visibles y relato de violencia en el hogar',
        urgent: true,
        reporter: { institution: 'Liceo A-90' },
      });
      expect(first.status).toBe(202);
      await local.whenIdle();
      const detail = await api(`/v1/comunas/13101/roster/${first.body.childId}`);
      if (detail.status === 200 && detail.body.provisional === false) {
        childId = first.body.childId as string;
        run = t.run;
        break;
      }
    }
    expect(childId).toBeDefined();
    const top = (await roster('13101', 'limit=5')).entries;
    const alerted = top.find((e) => e.childId === childId);
    expect(alerted).toBeDefined();
    expect(alerted?.origin).toBe('predictivo');
    expect(alerted?.probability).not.toBeNull();
    expect(alerted?.alerts[0]?.urgent).toBe(true);
    expect(top.indexOf(alerted as (typeof top)[number])).toBeLessThan(
      top.findIndex((e) => e.alerts.length === 0),
    );

    const repeat = await postAlert({
      run,
      comuna: '13101',
      riskFactor: 'negligencia_o_violencia',
      description: 'Segundo reporte del mismo hecho desde el CESFAM',
      reporter: { institution: 'CESFAM' },
    });
    expect(repeat.status).toBe(202);
    await local.whenIdle();
    const after = await api(`/v1/comunas/13101/roster/${childId}`);
    const alerts = after.body.alerts as { repeatReports: number }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.repeatReports).toBe(1);

    const unknown = await postAlert({
      run: '9.999.999-3',
      comuna: '13101',
      riskFactor: 'situacion_de_calle',
      description: 'Adolescente pernoctando en la vía pública',
      urgent: false,
      reporter: { institution: 'Municipalidad' },
    });
    expect(unknown.status).toBe(202);
    await local.whenIdle();
    const provisional = await api(`/v1/comunas/13101/roster/${unknown.body.childId}`);
    expect(provisional.status).toBe(200);
    expect(provisional.body).toMatchObject({ provisional: true, origin: 'manual', probability: null });
  });

  it('sends an alert about a child registered in another comuna there, and tells the reporter where it went', async () => {
    const pseudonymiser = createPseudonymiser(
      (await readFile(join(dataDir, 'pseudonym.key'), 'utf8')).trim(),
    );
    // A child the data places on Concepción's roster.
    let child: { run: string; childId: string } | undefined;
    for (const t of cut.truth.filter((c) => c.comuna === '08101')) {
      const parsed = parseRun(t.run);
      if (!parsed.ok) continue;
      const childId = pseudonymiser.child(parsed.run);
      const entry = await api(`/v1/comunas/08101/roster/${childId}`);
      if (entry.status === 200 && entry.body.provisional === false) {
        child = { run: t.run, childId };
        break;
      }
    }
    if (!child) throw new Error('no scored child in 08101');
    const as = (sub: string, role: string, comunas: string) => ({
      authorization: `Bearer ${signToken(local.jwtKey, { sub, 'custom:role': role, 'custom:comunas': comunas })}`,
    });
    const description = 'No asiste al liceo de Santiago desde hace un mes';
    const raised = await api('/v1/alerts', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as('sect-santiago', 'sectorialista', '13101') },
      body: JSON.stringify({
        run: child.run,
        comuna: '13101',
        riskFactor: 'trayectoria_escolar_interrumpida',
        description,
        reporter: { institution: 'Liceo de Aplicación' },
      }),
    });
    expect(raised.status).toBe(202);
    expect(raised.body.childId).toBe(child.childId);
    await local.whenIdle();

    // Concepción's nómina shows the alert, with the child at its top; Santiago's gets no entry.
    const entry = await api(`/v1/comunas/08101/roster/${child.childId}`);
    expect((entry.body.alerts as { alertId: string }[]).map((a) => a.alertId)).toEqual([raised.body.alertId]);
    expect((await roster('08101', 'limit=1')).entries[0]?.childId).toBe(child.childId);
    expect((await api(`/v1/comunas/13101/roster/${child.childId}`)).status).toBe(404);
    const identity = await api(
      `/v1/comunas/08101/children/${child.childId}/identity?purpose=verificacion_alerta`,
      { headers: as('coord-conce', 'coordinador', '08101') },
    );
    expect(identity.status).toBe(200);

    // Santiago's coordinador learns where it went, without the report; Concepción and the reporter see it.
    const path = String(raised.body.alert);
    const santiago = await api(path, { headers: as('coord-santiago', 'coordinador', '13101') });
    expect(santiago).toEqual({
      status: 200,
      body: {
        alertId: raised.body.alertId,
        state: 'sin gestionar',
        comuna: { code: '08101', name: 'Concepción' },
        raisedInComuna: { code: '13101', name: 'Santiago' },
        receivedAt: raised.body.receivedAt,
      },
    });
    for (const viewer of [
      as('coord-conce', 'coordinador', '08101'),
      as('sect-santiago', 'sectorialista', '13101'),
    ]) {
      const seen = await api(path, { headers: viewer });
      expect(seen.body).toMatchObject({ comuna: { code: '08101' }, childId: child.childId, description });
    }
    expect((await api(path, { headers: as('sect-other', 'sectorialista', '13101') })).status).toBe(404);
  });

  it('takes a description with emoji and other characters beyond U+FFFD through the queue', async () => {
    const description = 'Niña sola en la plaza 😢🚸, dice «tengo hambre» — sin adulto cerca';
    const answer = await postAlert({
      run: '7.777.777-6',
      comuna: '13101',
      riskFactor: 'situacion_de_calle',
      description,
      urgent: true,
      reporter: { institution: 'Carabineros 🚓' },
    });
    expect(answer.status).toBe(202);
    await local.whenIdle();
    const stored = await local.clients.dynamodb.send(
      new GetItemCommand({
        TableName: local.names.tables.alerts,
        Key: { alertId: { S: String(answer.body.alertId) } },
        ConsistentRead: true,
      }),
    );
    expect(stored.Item?.description?.S).toBe(description);
    expect(stored.Item?.reportedBy?.M?.institution?.S).toBe('Carabineros 🚓');
    const entry = await api(`/v1/comunas/13101/roster/${answer.body.childId}`);
    expect(entry.status).toBe(200);
    expect((entry.body.alerts as { alertId: string }[]).map((a) => a.alertId)).toEqual([answer.body.alertId]);
  });

  it('moves a poison message to the dead-letter queue after the receive limit', async () => {
    const queue = local.names.queues.alerts;
    await local.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"not":"an alert"}' }),
    );
    await local.whenIdle();
    const dlq = await local.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Number(dlq.Attributes?.ApproximateNumberOfMessages)).toBe(1);
  });
});

describe('bad input', () => {
  it('refuses a file that does not match the cut manifest, and promotes nothing of it', async () => {
    const small = generateCut({ children: 80, seed: 5, cut: '2026-07', sources: ['rsh'] });
    const rsh = small.files[0];
    if (!rsh) throw new Error('no file');
    await upload('extracts/2026-07/manifest.json', JSON.stringify(small.manifest));
    const truncated = rsh.bytes.subarray(0, rsh.bytes.lastIndexOf(0x0a, rsh.bytes.length - 2) + 1);
    await upload('extracts/2026-07/rsh.csv', truncated);
    await local.whenIdle();
    const report = await readJson(local.names.buckets.raw, 'extracts/2026-07/rsh.csv.report.json');
    expect(report).toMatchObject({ status: 'rejected', error: { problem: 'manifest-mismatch' } });
    expect(String((report.error as { message: string }).message)).toContain(`se leyeron ${rsh.rows - 1}`);
    await expect(
      local.clients.s3.send(
        new HeadObjectCommand({
          Bucket: local.names.buckets.curated,
          Key: 'cut=2026-07/source=rsh/_SUCCESS.json',
        }),
      ),
    ).rejects.toThrow();
  });

  it('answers a bad file with a rejected report and no curated data', async () => {
    await uploadDeclared('extracts/2026-09/rsh.csv', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x10]));
    await upload('extracts/2026-09/vacunas.csv', 'a;b\n1;2\n');
    await local.whenIdle();
    const bad = await readJson(local.names.buckets.raw, 'extracts/2026-09/rsh.csv.report.json');
    expect(bad).toMatchObject({ status: 'rejected', error: { problem: 'not-csv' } });
    const unknown = await readJson(local.names.buckets.raw, 'extracts/2026-09/vacunas.csv.report.json');
    expect(unknown).toMatchObject({ status: 'rejected', error: { problem: 'unknown-source' } });
    await expect(
      local.clients.s3.send(
        new HeadObjectCommand({
          Bucket: local.names.buckets.curated,
          Key: 'cut=2026-09/source=rsh/_SUCCESS.json',
        }),
      ),
    ).rejects.toThrow();
  });

  it('lists files refused at planning in the cut progress, and takes odd object keys without failing', async () => {
    const refused = await api('/v1/cuts/2026-09');
    const runs = refused.body.runs as { objectKey: string; status: string }[];
    expect(runs.filter((r) => r.status === 'rejected').map((r) => r.objectKey.split('/').at(-1))).toEqual(
      expect.arrayContaining(['rsh.csv', 'vacunas.csv']),
    );
    await upload('extracts/2026-09/100% listo.csv', 'a;b\n1;2\n');
    await local.whenIdle();
    const report = await readJson(local.names.buckets.raw, 'extracts/2026-09/100% listo.csv.report.json');
    expect(report).toMatchObject({ status: 'rejected', error: { problem: 'bad-location' } });
  });

  it('answers unknown routes, bad tokens and other comunas like API Gateway and the authorizer', async () => {
    expect((await api('/v1/nothing')).status).toBe(404);
    expect((await api('/v1/comunas/%E0%A4%A/roster')).status).toBe(400);
    expect(
      (await api('/v1/comunas/13101/roster', { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
    // The API's description is public: a bad token does not keep it from anyone.
    const described = await api('/openapi.json', { headers: { authorization: 'Bearer nope' } });
    expect(described.status).toBe(200);
    expect(described.body).toEqual(
      JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')),
    );
    const token = signToken(local.jwtKey, {
      sub: 'c',
      'custom:role': 'coordinador',
      'custom:comunas': '13110',
    });
    const forbidden = await api('/v1/comunas/13101/roster', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(forbidden.status).toBe(403);
    const own = await api('/v1/comunas/13110/roster?limit=1', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(own.status).toBe(200);
  });

  it('answers personal data only to an OLN role of the comuna, and logs every request', async () => {
    const [top] = (await roster('13101', 'limit=1')).entries;
    expect(top).toBeDefined();
    const path = `/v1/comunas/13101/children/${top?.childId}/identity?purpose=contacto_familia`;
    const as = (role: string, comunas: string) => ({
      headers: {
        authorization: `Bearer ${signToken(local.jwtKey, { sub: `${role}-x`, 'custom:role': role, 'custom:comunas': comunas })}`,
      },
    });
    const granted = await api(path, as('coordinador', '13101'));
    expect(granted.status).toBe(200);
    expect(granted.body.run).toMatch(/^\d{1,2}\.\d{3}\.\d{3}-[\dK]$/);
    // The registry's names survive the sources ingested after it, which carry the RUN alone.
    expect(granted.body.givenNames).toMatch(/\S/);
    expect(granted.body.paternalSurname).toMatch(/\S/);
    expect(granted.body.source).toBe('rsh');
    expect(granted.body.childId).toBe(top?.childId);
    // A gestor of the comuna with no case of the child assigned, and one of another comuna.
    expect((await api(path, as('gestor_casos', '13101'))).status).toBe(403);
    expect((await api(path, as('gestor_casos', '13110'))).status).toBe(403);
    expect((await api(path)).status).toBe(403); // the demo identity is a national role
    const log = await local.clients.dynamodb.send(
      new QueryCommand({
        TableName: local.names.tables.accessLog,
        KeyConditionExpression: 'childId = :c',
        ExpressionAttributeValues: { ':c': { S: top?.childId ?? '' } },
      }),
    );
    expect(log.Items?.map((i) => `${i.role?.S}:${i.outcome?.S}`)).toEqual([
      'coordinador:granted',
      'gestor_casos:denied',
      'gestor_casos:denied',
      'administrador_central:denied',
    ]);
    // The administrador central reads the same trail through the API, by child and by user; nobody else may.
    const trail = await api(`/v1/access-log?childId=${top?.childId}`);
    expect(trail.status).toBe(200);
    const entries = trail.body.entries as {
      subject: string;
      role: string;
      outcome: string;
      purpose: string | null;
    }[];
    expect(entries.map((e) => `${e.role}:${e.outcome}:${e.purpose}`)).toEqual([
      'coordinador:granted:contacto_familia',
      'gestor_casos:denied:contacto_familia',
      'gestor_casos:denied:contacto_familia',
      'administrador_central:denied:contacto_familia',
    ]);
    expect(JSON.stringify(trail.body)).not.toMatch(RUN_TOKEN);
    // The family's report, asked with the child's RUN: the same trail under its pseudonym, RUN masked.
    const report = await api('/v1/access-log/family-report', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runs: [granted.body.run] }),
    });
    expect(report.status).toBe(200);
    const [family] = report.body.children as { childId: string; requests: number; granted: number }[];
    expect(family).toMatchObject({ childId: top?.childId, requests: 4, granted: 1 });
    expect(JSON.stringify(report.body)).not.toContain(String(granted.body.run));
    const byUser = await api('/v1/access-log?subject=gestor_casos-x&limit=1');
    expect((byUser.body.entries as unknown[]).length).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    const next = await api(
      `/v1/access-log?subject=gestor_casos-x&from=${today}&to=${today}&limit=1&cursor=${byUser.body.nextCursor}`,
    );
    expect((next.body.entries as { outcome: string }[]).map((e) => e.outcome)).toEqual(['denied']);
    expect((await api(`/v1/access-log?childId=${top?.childId}`, as('coordinador', '13101'))).status).toBe(
      403,
    );
    // Each source that named the child keeps its own record, so none erases another's.
    const records = await local.clients.dynamodb.send(
      new QueryCommand({
        TableName: local.names.tables.identities,
        KeyConditionExpression: 'childId = :c',
        ExpressionAttributeValues: { ':c': { S: top?.childId ?? '' } },
      }),
    );
    const sources = (records.Items ?? []).map((i) => i.source?.S);
    expect(sources).toContain('rsh');
    expect(sources.length).toBeGreaterThan(1);
  });
});

describe('a corpus of bad files through the S3 API', () => {
  it('accounts for every row of each, and no refused file touches an identity', async () => {
    const rsh = cut.files.find((f) => f.name === 'rsh.csv');
    if (!rsh) throw new Error('no rsh file');
    const text = rsh.bytes.toString('latin1');
    const [header = '', ...rows] = text.split('\n').filter(Boolean);
    const identitiesOf = async (): Promise<string> => {
      const items = await local.clients.dynamodb.send(
        new ScanCommand({ TableName: local.names.tables.identities }),
      );
      return JSON.stringify(
        (items.Items ?? []).map((i) => [i.childId?.S, i.source?.S, i.givenNames?.S, i.address?.S]).sort(),
      );
    };
    const before = await identitiesOf();

    // A refused file (its SHA-256 is not the manifest's) carrying other names for known children.
    const forged = `${[header, ...rows.slice(0, 50).map((r) => r.replace(/;[^;]*;/, ';NOMBRE FALSO;'))].join('\n')}\n`;
    await upload('extracts/2026-04/manifest.json', JSON.stringify({ ...cut.manifest, cut: '2026-04' }));
    await upload('extracts/2026-04/rsh.csv', Buffer.from(forged, 'latin1'));
    await local.whenIdle();
    const refused = await readJson(local.names.buckets.raw, 'extracts/2026-04/rsh.csv.report.json');
    expect(refused).toMatchObject({
      status: 'rejected',
      error: { problem: 'manifest-mismatch' },
      rowsRead: 50,
    });
    expect(await identitiesOf()).toBe(before);

    // A stray quote, a NUL byte and a line of 4 MiB among good rows, and one Latin-1 line in a
    // UTF-8 gzip file.
    const good = rows.slice(0, 40);
    const lines = [
      Buffer.from([header, ...good.slice(0, 20)].join('\n'), 'utf8'),
      Buffer.from(`${good[20]?.replace(/;/, ';x"')}`, 'utf8'),
      Buffer.from('x\u0000y', 'utf8'),
      Buffer.from('A'.repeat(4 << 20)),
      Buffer.from(good.slice(21, 39).join('\n'), 'utf8'),
      Buffer.from(`${good[39]}`, 'latin1'),
    ];
    const file = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    await uploadDeclared('extracts/2026-05/rsh.csv.gz', gzipSync(file), 42);
    await local.whenIdle();
    const report = await readJson(local.names.buckets.raw, 'extracts/2026-05/rsh.csv.gz.report.json');
    expect(report.status).toBe('accepted');
    expect(Number(report.rowsRead)).toBe(42);
    expect(Number(report.accepted) + Number(report.rejected) + Number(report.duplicates)).toBe(42);
    expect(report.encoding).toMatchObject({ detected: 'utf-8' });
    expect(report.quarantinedForStructure).toBe(3);
  });
});

describe('a corrected re-delivery of a cut', () => {
  it('drops the children no longer in the corrected registry, and keeps an alerted one as a manual entry', async () => {
    const pseudonymiser = createPseudonymiser(
      (await readFile(join(dataDir, 'pseudonym.key'), 'utf8')).trim(),
    );
    const childOf = (run: string): string => {
      const parsed = parseRun(run);
      if (!parsed.ok) throw new Error(`bad RUN ${run}`);
      return pseudonymiser.child(parsed.run);
    };
    const scored = (await allEntries('13101')).filter((e) => e.probability !== null && e.alerts.length === 0);
    const byChild = new Map(cut.truth.filter((t) => t.comuna === '13101').map((t) => [childOf(t.run), t]));
    const removed = scored.filter((e) => byChild.has(e.childId)).slice(0, 6);
    expect(removed).toHaveLength(6);
    const [alerted, ...dropped] = removed.map((e) => ({
      childId: e.childId,
      run: byChild.get(e.childId)?.run ?? '',
    }));
    if (!alerted) throw new Error('no child to alert');
    const alert = await postAlert({
      run: alerted.run,
      comuna: '13101',
      riskFactor: 'trayectoria_escolar_interrumpida',
      description: 'No asiste al colegio desde hace tres semanas',
      urgent: false,
      reporter: { institution: 'Escuela D-12' },
    });
    expect(alert.status).toBe(202);
    expect(alert.body.childId).toBe(alerted.childId);
    await local.whenIdle();
    const before = await allEntries('13101');

    // The registry sends its extract of the cut again, corrected: six children are no longer in it.
    const rsh = cut.files.find((f) => f.name === 'rsh.csv');
    if (!rsh) throw new Error('no rsh file');
    const bodies = new Set(removed.map((e) => `${byChild.get(e.childId)?.run.split('-')[0]};`));
    const lines = rsh.bytes.toString('latin1').split('\n');
    const kept = lines.filter((l, i) => i === 0 || ![...bodies].some((b) => l.startsWith(b)));
    expect(lines.length - kept.length).toBeGreaterThanOrEqual(6);
    const corrected = Buffer.from(kept.join('\n'), 'latin1');
    const manifest = {
      ...cut.manifest,
      files: cut.manifest.files.map((f) =>
        f.name === 'rsh.csv'
          ? {
              ...f,
              rows: kept.filter(Boolean).length - 1,
              bytes: corrected.length,
              sha256: createHash('sha256').update(corrected).digest('hex'),
            }
          : f,
      ),
    };
    await upload(`extracts/${cut.cut}/manifest.json`, JSON.stringify(manifest));
    await upload(`extracts/${cut.cut}/rsh.csv`, corrected);
    await local.whenIdle();
    const report = await readJson(local.names.buckets.raw, `extracts/${cut.cut}/rsh.csv.report.json`);
    expect(report.status).toBe('accepted');

    const after = await allEntries('13101');
    const listed = new Set(after.map((e) => e.childId));
    for (const d of dropped) expect(listed.has(d.childId), d.childId).toBe(false);
    expect(after).toHaveLength(before.length - dropped.length);
    for (const d of dropped) {
      expect((await api(`/v1/comunas/13101/roster/${d.childId}`)).status).toBe(404);
    }
    const manual = after.find((e) => e.childId === alerted.childId);
    expect(manual).toMatchObject({ origin: 'manual', probability: null, ventile: null, reasons: [] });
    expect(manual?.alerts.map((a) => a.alertId)).toEqual([alert.body.alertId]);
    const detail = await api(`/v1/comunas/13101/roster/${alerted.childId}`);
    expect(detail.body).toMatchObject({ origin: 'manual', provisional: true, probability: null, cut: null });
    // Not only hidden: the scoring run removed them from the table.
    const item = async (childId: string) =>
      (
        await local.clients.dynamodb.send(
          new GetItemCommand({
            TableName: local.names.tables.roster,
            Key: { comuna: { S: '13101' }, childId: { S: childId } },
          }),
        )
      ).Item;
    for (const d of dropped) expect(await item(d.childId)).toBeUndefined();
    expect(Object.keys((await item(alerted.childId)) ?? {})).not.toContain('scoreKey');
    // Everyone else is still there, scored by the run of the corrected registry.
    const stillScored = after.filter((e) => e.alerts.length === 0);
    expect(stillScored.length).toBeGreaterThan(0);
    for (const e of stillScored) expect(e.probability).not.toBeNull();

    // A child off the roster is off it for the identity route too.
    const coordinator = {
      headers: {
        authorization: `Bearer ${signToken(local.jwtKey, { sub: 'coord-13101', 'custom:role': 'coordinador', 'custom:comunas': '13101' })}`,
      },
    };
    const identity = (childId: string) =>
      api(`/v1/comunas/13101/children/${childId}/identity?purpose=evaluacion_caso`, coordinator);
    expect((await identity(dropped[0]?.childId ?? '')).status).toBe(404);
    expect((await identity(alerted.childId)).status).toBe(200);

    await local.runSchedule('rosterSnapshot');
    const snapshot = await readJson(local.names.buckets.snapshots, 'latest/13101.json');
    const snapshotIds = new Set((snapshot.entries as { childId: string }[]).map((e) => e.childId));
    expect(dropped.some((d) => snapshotIds.has(d.childId))).toBe(false);
    expect(snapshotIds.has(alerted.childId)).toBe(true);
    expect((snapshot.totals as { entries: number }).entries).toBe(after.length);

    // The same score request delivered again changes nothing.
    await local.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: local.names.queues.scoreRequests.url,
        MessageBody: JSON.stringify({ cut: cut.cut, comuna: '13101' }),
      }),
    );
    await local.whenIdle();
    expect((await allEntries('13101')).map((e) => e.childId)).toEqual(after.map((e) => e.childId));
  });
});

describe('interrupted ingest', () => {
  /** Chunks of 4 KiB: the registry file fans out over some twenty chunk tasks. */
  const TINY_CHUNKS = { INGEST_CHUNK_BYTES: '4096', INGEST_REDUCE_BYTES: '8192' };
  let startLog: string[] = [];
  const restart = async (): Promise<void> => {
    startLog = [];
    local = await startLocalSystem({
      dataDir,
      port: 0,
      reset: false,
      retryDelaySeconds: 0,
      envOverrides: TINY_CHUNKS,
      log: (line) => startLog.push(line),
    });
  };
  const registry = (): Buffer => {
    const rsh = cut.files.find((f) => f.name === 'rsh.csv');
    if (!rsh) throw new Error('no rsh file');
    return rsh.bytes;
  };
  /** Uploads `key` and resolves once its planning has queued its tasks. */
  const uploadAndPlan = async (key: string, bytes: Buffer): Promise<{ status: string; runId?: string }> => {
    const planned = new Promise<{ status: string; runId?: string }>((resolve) => {
      local.onInvocation((r) => {
        const plan = (r.result as { plans?: { objectKey: string; status: string; runId?: string }[] })
          ?.plans?.[0];
        if (r.functionId === 'ingest' && plan?.objectKey === key) resolve(plan);
      });
    });
    await uploadDeclared(key, bytes);
    return planned;
  };
  /** The run of `key` as the cut progress API shows it. */
  const runOf = async (key: string) => {
    const runs = (await api(`/v1/cuts/${key.split('/')[1]}`)).body.runs as {
      runId: string;
      objectKey: string;
      status: string;
      chunks: { done: number; total: number };
    }[];
    return runs.filter((r) => r.objectKey === key).at(-1);
  };
  /** Loses the queued tasks of the runs in progress, as a dead process loses its in-memory queue. */
  const loseQueuedTasks = async (): Promise<void> => {
    await local.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: local.names.queues.ingestTasks.url }));
    await local.whenIdle();
  };
  /** Moves a run's last progress three hours back, past the stall threshold. */
  const age = (runId: string) =>
    local.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: local.names.tables.ingestRuns,
        Key: { runId: { S: runId } },
        UpdateExpression: 'SET updatedAt = :t',
        ExpressionAttributeValues: { ':t': { S: new Date(Date.now() - 3 * 3600_000).toISOString() } },
      }),
    );
  const san = async (...args: string[]): Promise<string> => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'tools/cli/main.ts', ...args],
      { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    return stdout;
  };

  beforeAll(async () => {
    await local.stop();
    await restart();
  });

  it('resumes at start a run that a stop of the local system cut short, to the report of an uninterrupted run', async () => {
    const key = 'extracts/2026-05/rsh.csv';
    const plan = await uploadAndPlan(key, registry());
    expect(plan.status).toBe('planned');
    await local.stop(); // the queued tasks die with the process, as with kill -9

    await restart();
    const line = startLog.find((l) => l.includes(key));
    expect(line).toMatch(
      /^reanudada la ingesta de extracts\/2026-05\/rsh\.csv \(\d+ de \d+ trozos pendientes\)$/,
    );
    expect(local.recovered).toContain(key);
    await local.whenIdle();
    const report = await readJson(local.names.buckets.raw, `${key}.report.json`);
    const uninterrupted = firstRshReport;
    expect(report).toMatchObject({ status: 'accepted', runId: plan.runId });
    for (const field of ['rowsRead', 'accepted', 'rejected', 'duplicates', 'acceptedByComuna']) {
      expect(report[field]).toEqual(uninterrupted[field]);
    }
    expect((await runOf(key))?.status).toBe('done');
  });

  it('ends a run whose tasks were lost as failed with its report, and processes the file when it is uploaded again', async () => {
    const key = 'extracts/2026-04/rsh.csv';
    const plan = await uploadAndPlan(key, registry());
    await loseQueuedTasks();
    const stuck = await runOf(key);
    expect(stuck?.status).toBe('processing');
    expect(stuck?.chunks.done).toBeLessThan(stuck?.chunks.total ?? 0);
    // Re-uploading while the run still looks alive is taken as a redelivery.
    expect((await uploadAndPlan(key, registry())).status).toBe('redelivered');

    await age(plan.runId ?? '');
    const swept = (await local.runSchedule('ingestWatchdog')) as { failed: { objectKey: string }[] };
    expect(swept.failed.map((f) => f.objectKey)).toEqual([key]);
    const failed = await readJson(local.names.buckets.raw, `${key}.report.json`);
    expect(failed).toMatchObject({
      status: 'rejected',
      runId: plan.runId,
      error: { problem: 'processing-failed' },
    });
    expect((failed.error as { message: string }).message).toMatch(
      /dejó de avanzar.*npm run san -- retry 2026-04 rsh/,
    );

    const again = await uploadAndPlan(key, registry());
    expect(again).toMatchObject({ status: 'planned', runId: `${plan.runId}-r2` });
    await local.whenIdle();
    const report = await readJson(local.names.buckets.raw, `${key}.report.json`);
    expect(report).toMatchObject({ status: 'accepted', runId: `${plan.runId}-r2` });
  });

  it('sends a stalled file through ingest again with the CLI, and leaves ingested files alone', async () => {
    const key = 'extracts/2026-03/rsh.csv';
    const plan = await uploadAndPlan(key, registry());
    await loseQueuedTasks();
    await age(plan.runId ?? '');

    const out = await san(
      'retry',
      '2026-03',
      'rsh',
      '--bucket',
      local.names.buckets.raw,
      '--endpoint',
      local.endpoints.s3,
    );
    expect(out).toContain(`${key}: reenviado a la ingesta`);
    await local.whenIdle();
    const report = await readJson(local.names.buckets.raw, `${key}.report.json`);
    expect(report).toMatchObject({ status: 'accepted', runId: `${plan.runId}-r2` });
    expect((await api('/v1/cuts/2026-03')).body.runs).toEqual(
      expect.arrayContaining([expect.objectContaining({ runId: plan.runId, status: 'rejected' })]),
    );

    const none = await san(
      'retry',
      '2026-10',
      '--bucket',
      local.names.buckets.raw,
      '--endpoint',
      local.endpoints.s3,
    );
    expect(none).toContain('extracts/2026-10/rsh.csv: ya ingerido');
    expect(none).toContain('nada que reintentar');
  });
});

describe('identities across cuts', () => {
  it('keeps the current names and address when an older cut of the registry is uploaded late', async () => {
    const rsh = cut.files.find((f) => f.source === 'rsh');
    if (!rsh) throw new Error('no rsh file');
    const [header, ...lines] = rsh.bytes.toString('latin1').split('\n');
    const as = {
      headers: {
        authorization: `Bearer ${signToken(local.jwtKey, { sub: 't', 'custom:role': 'coordinador', 'custom:comunas': '13101' })}`,
      },
    };
    const identityOf = async (childId: string) =>
      api(`/v1/comunas/13101/children/${childId}/identity?purpose=evaluacion_caso`, as);
    // A child of the roster (not the first, which another test's access log counts) born before 2020,
    // whose names come from the registry.
    let childId: string | undefined;
    let line: string | undefined;
    for (const entry of (await roster('13101', 'limit=20')).entries.slice(1)) {
      const identity = await identityOf(entry.childId);
      const body = String(identity.body.run).replace(/\./g, '').split('-')[0];
      const found = lines.find((l) => l.startsWith(`${body};`));
      if (identity.body.source === 'rsh' && found && Number(found.split(';')[5]?.slice(-4)) < 2020) {
        childId = entry.childId;
        line = found;
        break;
      }
    }
    if (!childId || !line) throw new Error('no child of the roster with a registry record');
    const named = (given: string, surname: string, address: string, surveyed: string): Buffer => {
      const fields = (line as string).split(';');
      fields[2] = given;
      fields[3] = surname;
      fields[17] = address;
      fields[19] = surveyed;
      return Buffer.from(`${header}\n${fields.join(';')}\n`, 'latin1');
    };

    await uploadDeclared(
      'extracts/2026-11/rsh.csv',
      named('Noviembre', 'Actual', 'Calle Nueva 1', '10-11-2026'),
    );
    await local.whenIdle();
    expect((await identityOf(childId)).body).toMatchObject({
      givenNames: 'Noviembre',
      paternalSurname: 'Actual',
      address: 'Calle Nueva 1',
      cut: '2026-11',
    });

    await uploadDeclared(
      'extracts/2024-10/rsh.csv',
      named('Antiguo', 'Pasado', 'Calle Vieja 9', '15-09-2024'),
    );
    await local.whenIdle();
    const old = await readJson(local.names.buckets.raw, 'extracts/2024-10/rsh.csv.report.json');
    // Ingested for history: curated and promoted for its own cut, but it replaced no current identity.
    expect(old).toMatchObject({
      status: 'accepted',
      accepted: 1,
      identities: { written: 0, olderThanStored: 1 },
    });
    await local.clients.s3.send(
      new HeadObjectCommand({
        Bucket: local.names.buckets.curated,
        Key: 'cut=2024-10/source=rsh/_SUCCESS.json',
      }),
    );
    expect((await identityOf(childId)).body).toMatchObject({
      givenNames: 'Noviembre',
      paternalSurname: 'Actual',
      address: 'Calle Nueva 1',
      cut: '2026-11',
    });
  });
});

describe('persistence', () => {
  it('keeps the roster across a restart of the local system', async () => {
    const before = await roster('13101', 'limit=3');
    await local.stop();
    local = await startLocalSystem({
      dataDir,
      port: 0,
      reset: false,
      retryDelaySeconds: 0,
      envOverrides: SMALL_CHUNKS,
    });
    const after = await roster('13101', 'limit=3');
    expect(after.entries.map((e) => e.childId)).toEqual(before.entries.map((e) => e.childId));
  });

  it('refuses a state whose tables are keyed otherwise than the definition, and says to reset', async () => {
    // The identity table as a version keyed by child alone left it.
    const identities = local.names.tables.identities;
    await local.clients.dynamodb.send(new DeleteTableCommand({ TableName: identities }));
    // Deletion finishes in the background, as in DynamoDB.
    await waitUntilTableNotExists(
      { client: local.clients.dynamodb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { TableName: identities },
    );
    await local.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: identities,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'childId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'childId', KeyType: 'HASH' }],
      }),
    );
    await local.stop();
    const options = { dataDir, port: 0, retryDelaySeconds: 0, envOverrides: SMALL_CHUNKS };
    const stale = startLocalSystem({ ...options, reset: false });
    await expect(stale).rejects.toThrow(LocalStateError);
    await expect(stale).rejects.toThrow(
      /identities table is keyed by \(childId\).*\(childId, source\).*--reset/,
    );
    local = await startLocalSystem({ ...options, reset: true });
    expect(Object.keys(local.names.tables)).toContain('identities');
  });
});

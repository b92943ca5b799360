/**
 * The whole pipeline on the local stand-ins (dynalite, s3rver, fauxqs on free ports): an extract
 * uploaded to S3 is ingested, scored with the ONNX model and served over HTTP; alerts travel
 * through SQS to the roster; bad files and poison messages are contained.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  CreateTableCommand,
  DeleteTableCommand,
  QueryCommand,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../functions/ingest/domain/contracts';
import { ingestExtract } from '../../functions/ingest/domain/ingest-extract';
import { OnnxModelRunner } from '../../functions/score/adapters/onnx-model-runner';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';
import { signToken } from '../../local/auth';
import type { LocalSystem } from '../../local/runtime';
import { LocalStateError, startLocalSystem } from '../../local/runtime';
import type { GeneratedCut } from '../../tools/generate/generator';
import { generateCut } from '../../tools/generate/generator';

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
    reasons: { feature: string; text: string }[];
    alerts: { alertId: string; urgent: boolean; repeatReports: number }[];
  }[];
}

/** Small ingest chunks, so that even a test file fans out over several chunk and reduce tasks. */
const SMALL_CHUNKS = { INGEST_CHUNK_BYTES: '16384', INGEST_REDUCE_BYTES: '32768' };

let local: LocalSystem;
let dataDir: string;
let cut: GeneratedCut;

const api = async (path: string, init: RequestInit = {}) => {
  const response = await fetch(`${local.apiUrl}${path}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const roster = async (comuna: string, query = 'limit=50') =>
  (await api(`/v1/comunas/${comuna}/roster?${query}`)).body as unknown as RosterBody;
const postAlert = (body: unknown) =>
  api('/v1/alerts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const upload = (key: string, body: Buffer | string) =>
  local.clients.s3.send(new PutObjectCommand({ Bucket: local.names.buckets.raw, Key: key, Body: body }));
const readJson = async (bucket: string, key: string) => {
  const out = await local.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await out.Body?.transformToString()) ?? '{}') as Record<string, unknown>;
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
});

afterAll(async () => {
  await local?.stop();
});

describe('from S3 upload to the roster over HTTP', () => {
  it('writes an ingest report per file, fanned out over chunks, identical to a single-pass read', async () => {
    const pseudonymiser = createPseudonymiser(
      (await readFile(join(dataDir, 'pseudonym.key'), 'utf8')).trim(),
    );
    for (const file of cut.files) {
      const report = await readJson(local.names.buckets.raw, `extracts/${cut.cut}/${file.name}.report.json`);
      expect(report.status).toBe('accepted');
      if (file.bytes.length > 4 * 16_384) expect(report.chunks).toBeGreaterThan(3);
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
    }
  });

  it('ingests a gzip upload and processes an identical re-upload only once', async () => {
    const rsh = cut.files.find((f) => f.name === 'rsh.csv');
    if (!rsh) throw new Error('no rsh file');
    await upload('extracts/2026-08/rsh.csv.gz', gzipSync(rsh.bytes));
    await local.whenIdle();
    const gz = await readJson(local.names.buckets.raw, 'extracts/2026-08/rsh.csv.gz.report.json');
    expect(gz).toMatchObject({
      status: 'accepted',
      layout: { gzip: true, encoding: 'windows-1252', delimiter: ';' },
    });
    const plain = await readJson(local.names.buckets.raw, 'extracts/2026-10/rsh.csv.report.json');
    expect(gz.accepted).toBe(plain.accepted);

    // The same content uncompressed: same cut, same source, same bytes once decompressed.
    await upload('extracts/2026-08/rsh.csv', rsh.bytes);
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
    const probabilities = body.entries.map((e) => e.probability ?? -1);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(body.entries.map((e) => e.rank)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const e of body.entries) {
      expect(e.ventile).toBeGreaterThanOrEqual(1);
      expect(e.ventile).toBeLessThanOrEqual(20);
      expect(e.reasons.length).toBeLessThanOrEqual(3);
      expect(e.childId).toMatch(/^n-/);
    }
    expect(body.entries[0]?.reasons.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/\d{7,8}-[\dK]/);

    const next = await roster('13101', `limit=50&cursor=${body.nextCursor}`);
    expect(next.entries[0]?.rank).toBe(51);
    expect(next.entries[0]?.probability).toBeLessThanOrEqual(probabilities[49] as number);
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

  it('counts an uncorrected inconsistency again in later cuts until its record comes back', async () => {
    const protection = cut.files.find((f) => f.source === 'proteccion');
    if (!protection) throw new Error('no protection file');
    const openLines = async (c: string): Promise<string[]> => {
      const out = await local.clients.s3.send(
        new GetObjectCommand({
          Bucket: local.names.buckets.curated,
          Key: `quality/${c}/proteccion.open.ndjson`,
        }),
      );
      return ((await out.Body?.transformToString()) ?? '').split('\n').filter(Boolean);
    };
    const october = await openLines('2026-10');
    expect(october.length).toBeGreaterThan(0);
    expect(october.join('\n')).not.toMatch(/\d{7,8}-[\dK]/);

    // November's extract has no rows: every October inconsistency is still open and counts again.
    const headerOnly = protection.bytes.subarray(0, protection.bytes.indexOf(0x0a) + 1);
    await upload('extracts/2026-11/proteccion.csv', headerOnly);
    await local.whenIdle();
    const november = await readJson(local.names.buckets.curated, 'quality/2026-11/proteccion.json');
    expect((november.total as { counts: { carried: number } }).counts.carried).toBe(october.length);
    expect(await openLines('2026-11')).toHaveLength(october.length);

    // December brings every record again, unchanged: nothing is carried, the same ones stay open.
    await upload('extracts/2026-12/proteccion.csv', protection.bytes);
    await local.whenIdle();
    const december = await readJson(local.names.buckets.curated, 'quality/2026-12/proteccion.json');
    expect((december.total as { counts: { carried: number } }).counts.carried).toBe(0);
    const decemberOpen = (await openLines('2026-12')).map(
      (l) => JSON.parse(l) as { k: string; since: string },
    );
    expect(decemberOpen).toHaveLength(october.length);
    expect(new Set(decemberOpen.map((e) => e.since))).toEqual(new Set(['2026-10']));
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
    await upload('extracts/2026-09/rsh.csv', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x10]));
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
    const granted = await api(path, as('gestor_casos', '13101'));
    expect(granted.status).toBe(200);
    expect(granted.body.run).toMatch(/^\d{1,2}\.\d{3}\.\d{3}-[\dK]$/);
    // The registry's names survive the sources ingested after it, which carry the RUN alone.
    expect(granted.body.givenNames).toMatch(/\S/);
    expect(granted.body.paternalSurname).toMatch(/\S/);
    expect(granted.body.source).toBe('rsh');
    expect(granted.body.childId).toBe(top?.childId);
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
      'gestor_casos:granted',
      'gestor_casos:denied',
      'administrador_central:denied',
    ]);
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

describe('identities across cuts', () => {
  it('keeps the current names and address when an older cut of the registry is uploaded late', async () => {
    const rsh = cut.files.find((f) => f.source === 'rsh');
    if (!rsh) throw new Error('no rsh file');
    const [header, ...lines] = rsh.bytes.toString('latin1').split('\n');
    const as = {
      headers: {
        authorization: `Bearer ${signToken(local.jwtKey, { sub: 't', 'custom:role': 'terapeuta_familiar', 'custom:comunas': '13101' })}`,
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

    await upload('extracts/2026-11/rsh.csv', named('Noviembre', 'Actual', 'Calle Nueva 1', '10-11-2026'));
    await local.whenIdle();
    expect((await identityOf(childId)).body).toMatchObject({
      givenNames: 'Noviembre',
      paternalSurname: 'Actual',
      address: 'Calle Nueva 1',
      cut: '2026-11',
    });

    await upload('extracts/2024-10/rsh.csv', named('Antiguo', 'Pasado', 'Calle Vieja 9', '15-09-2024'));
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

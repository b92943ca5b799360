/**
 * The model life cycle end to end on the local stand-ins: the registry starts with the layer's
 * model as deployed; a second model, trained here with another seed, is registered through the
 * CLI, put in shadow and scored beside the deployed one (a shadow report per comuna, the roster
 * untouched); a coordinador cannot approve it; the administrador_central approves and promotes it
 * and the roster is rescored with it; a rollback brings the previous version back; a second cut
 * gets a drift report against the first.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModelFile } from '../../functions/score/adapters/model-file';
import { signToken } from '../../local/auth';
import type { LocalSystem } from '../../local/runtime';
import { startLocalSystem } from '../../local/runtime';
import { generateCut } from '../../tools/generate/generator';
import { train } from '../../tools/train/main';
import { fetchChecked } from './api-contract';

const run = promisify(execFile);
const LAYER_VERSION = inspectModelFile(await readFile('layers/model/risk-model.onnx')).version;

let local: LocalSystem;
let candidateFile: string;
let candidate: string;

const token = (role: string, comunas: string): string =>
  signToken(local.jwtKey, { sub: `it-${role}`, 'custom:role': role, 'custom:comunas': comunas });
const api = async (path: string, init: RequestInit & { role?: string; comunas?: string } = {}) => {
  const { role, comunas, ...rest } = init;
  const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) };
  if (role) headers.authorization = `Bearer ${token(role, comunas ?? '*')}`;
  if (rest.body) headers['content-type'] = 'application/json';
  return fetchChecked(`${local.apiUrl}${path}`, { ...rest, headers });
};
const post = (path: string, body: unknown, role = 'administrador_central', comunas = '*') =>
  api(path, { method: 'POST', body: JSON.stringify(body), role, comunas });

/** The CLI as a separate process (asynchronous: the API it calls runs in this one). */
async function san(
  role: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(
      process.execPath,
      ['--import', 'tsx', 'tools/cli/main.ts', ...args, '--api', local.apiUrl],
      {
        env: {
          ...process.env,
          SAN_TOKEN: token(role, role === 'coordinador' ? '13101' : '*'),
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function uploadCut(cutName: string): Promise<void> {
  const cut = generateCut({ children: 400, seed: 31, cut: cutName });
  const put = (key: string, body: Buffer | string) =>
    local.clients.s3.send(new PutObjectCommand({ Bucket: local.names.buckets.raw, Key: key, Body: body }));
  await put(`extracts/${cutName}/manifest.json`, JSON.stringify(cut.manifest));
  for (const file of cut.files) await put(`extracts/${cutName}/${file.name}`, file.bytes);
}

/** Model versions of every entry of a comuna's roster. */
async function rosterVersions(comuna: string): Promise<Set<string>> {
  const { body } = await api(`/v1/comunas/${comuna}/roster?limit=500`);
  const entries = body.entries as { modelVersion: string | null }[];
  expect(entries.length).toBeGreaterThan(10);
  return new Set(entries.map((e) => String(e.modelVersion)));
}

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'san-models-'));
  local = await startLocalSystem({ dataDir, port: 0, reset: true, retryDelaySeconds: 0 });
  const [trained] = await Promise.all([
    train({ seed: 7, children: 2000, candidate: 'logistic' }),
    uploadCut('2026-10'),
  ]);
  candidate = trained.info.version;
  candidateFile = join(dataDir, 'candidate.onnx');
  await writeFile(candidateFile, trained.bytes);
  await local.whenIdle(180_000);
}, 300_000);

afterAll(async () => {
  await local?.stop();
});

describe('the model life cycle on the local system', () => {
  it('starts with the layer model deployed, recorded by the system at the first scoring', async () => {
    const { status, body } = await api('/v1/models');
    expect(status).toBe(200);
    expect(body.deployed).toBe(LAYER_VERSION);
    const models = body.models as { version: string; history: { action: string; by: { role: string } }[] }[];
    expect(models[0]?.history[0]).toMatchObject({ action: 'bootstrap', by: { role: 'sistema' } });
    expect(await rosterVersions('13101')).toEqual(new Set([LAYER_VERSION]));
  });

  it('registers a trained model with the CLI and scores it in shadow, writing a report per comuna and not the roster', async () => {
    expect(candidate).not.toBe(LAYER_VERSION);
    const registered = await san('administrador_central', 'model', 'register', candidateFile);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain(`registrada ${candidate} (registrado)`);
    const shadow = await post(`/v1/models/${candidate}/shadow`, {});
    expect(shadow.status).toBe(200);
    expect(shadow.body).toMatchObject({ state: 'shadow' });
    await local.whenIdle(120_000);
    const report = await api('/v1/comunas/13101/shadow/2026-10', { role: 'coordinador', comunas: '13101' });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      deployedVersion: LAYER_VERSION,
      shadowVersion: candidate,
      cut: '2026-10',
    });
    const overlap = report.body.overlap as { both: number; onlyDeployed: number };
    expect(overlap.both + overlap.onlyDeployed).toBe(report.body.capacity);
    expect((report.body.outcomes as { message: string }).message).toMatch(
      /no tiene una cohorte con resultados conocidos/,
    );
    expect(await rosterVersions('13101')).toEqual(new Set([LAYER_VERSION]));
    const listed = await san('administrador_central', 'model', 'report', '13101', '2026-10');
    expect(listed.stdout).toContain(`en sombra ${candidate}`);
  });

  it('refuses the approval of a coordinador with 403, and the promotion of an unapproved version with 409', async () => {
    const denied = await post(
      `/v1/models/${candidate}/approve`,
      { reason: 'me parece bien' },
      'coordinador',
      '13101',
    );
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      error: {
        code: 'forbidden',
        message: 'el rol coordinador no puede aprobar versiones del modelo: solo administrador_central',
      },
    });
    const cli = await san('coordinador', 'model', 'approve', candidate, '--reason', 'me parece bien');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('la API respondió 403: el rol coordinador no puede aprobar');
    const early = await post(`/v1/models/${candidate}/promote`, { reason: 'sin aprobar' });
    expect(early.status).toBe(409);
    expect((early.body.error as { message: string }).message).toMatch(
      /está en sombra, y para promover debe estar aprobado/,
    );
  });

  it('approves and promotes as administrador_central, rescoring the roster with the new version', async () => {
    const approved = await san(
      'administrador_central',
      'model',
      'approve',
      candidate,
      '--reason',
      'informes en sombra revisados',
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`${candidate}: aprobado`);
    const promoted = await post(`/v1/models/${candidate}/promote`, { reason: 'comité técnico, acta 12' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ state: 'deployed' });
    await local.whenIdle(120_000);
    expect(await rosterVersions('13101')).toEqual(new Set([candidate]));
    const history = (await api(`/v1/models/${candidate}`)).body.history as {
      action: string;
      reason: string | null;
      by: { subject: string };
    }[];
    expect(history.map((h) => h.action)).toEqual(['register', 'shadow', 'approve', 'promote']);
    expect(history.at(-1)).toMatchObject({
      reason: 'comité técnico, acta 12',
      by: { subject: 'it-administrador_central' },
    });
    expect((await api(`/v1/models/${LAYER_VERSION}`)).body.state).toBe('previous');
  });

  it('rolls back to the previous version in one command, rescoring the roster with it', async () => {
    const rolled = await san(
      'administrador_central',
      'model',
      'rollback',
      '--reason',
      'la nómina cambió demasiado',
    );
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toContain(`${LAYER_VERSION}: desplegado otra vez`);
    await local.whenIdle(120_000);
    expect(await rosterVersions('13101')).toEqual(new Set([LAYER_VERSION]));
    expect((await api(`/v1/models/${candidate}`)).body.state).toBe('retired');
  });

  it('gives a second cut a drift report against the first', async () => {
    await uploadCut('2026-11');
    await local.whenIdle(180_000);
    const drift = await api('/v1/comunas/13101/drift/2026-11');
    expect(drift.status).toBe(200);
    expect(drift.body).toMatchObject({ cut: '2026-11', previousCut: '2026-10', modelVersion: LAYER_VERSION });
    expect((drift.body.score as { psi: number }).psi).toBeGreaterThanOrEqual(0);
  });
});

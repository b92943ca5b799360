/** The data team's CLI run as a user runs it: a separate process, its output and its exit code. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../local/auth';
import { generateCut } from '../../tools/generate/generator';

function sanWith(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'tools/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

function san(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return sanWith(process.env, ...args);
}

/** A local port nothing listens on: one the system handed out, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const STACK_TRACE = /\n\s+at /;

function writeCut(mutate?: (files: Map<string, Buffer>) => void, sub = ''): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'san-cli-')), sub);
  mkdirSync(dir, { recursive: true });
  const cut = generateCut({ children: 150, seed: 21, cut: '2026-10', sources: ['rsh', 'proteccion'] });
  const files = new Map(cut.files.map((f) => [f.name, f.bytes]));
  mutate?.(files);
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(cut.manifest));
  return dir;
}

describe('npm run san -- validate', () => {
  it('reports every file with its accounting and quality index, and exits 0 when all can be ingested', () => {
    const result = san('validate', '--dir', writeCut());
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /rsh\.csv \[rsh\]\n {2}windows-1252, ';': leídas \d+ = aceptadas \d+ \+ rechazadas \d+ \+ duplicadas \d+/,
    );
    expect(result.stdout).toContain('índice de calidad');
    expect(result.stdout).toContain('todos los archivos se pueden ingerir');
    expect(result.stdout).not.toMatch(/(?<![\w.-])\d{1,2}\.?\d{3}\.?\d{3}-[\dK](?![\w-])/);
    expect(result.stdout).not.toMatch(/se esperaba \d/);
  });

  it('finds the cut in the subfolder npm run generate writes, and checks it', () => {
    const cutDir = writeCut(undefined, join('extracts', '2026-10'));
    const result = san('validate', '--dir', join(cutDir, '..', '..'));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`carpeta del corte: ${cutDir}`);
    expect(result.stdout).toMatch(/rsh\.csv \[rsh\]\n/);
    expect(result.stdout).toMatch(/proteccion\.csv \[proteccion\]\n/);
    expect(result.stdout).toContain('todos los archivos se pueden ingerir');
  });

  it('refuses a folder with no extract with exit code 2, for validate and upload alike', () => {
    const empty = mkdtempSync(join(tmpdir(), 'san-cli-empty-'));
    for (const result of [
      san('validate', '--dir', empty),
      san('upload', '--dir', empty, '--cut', '2026-10', '--bucket', 'san-raw'),
    ]) {
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`la carpeta ${empty} no tiene extractos`);
      expect(result.stdout).not.toContain('todos los archivos se pueden ingerir');
    }
  });

  it('exits 1 naming the problem when a file would be refused or differs from the manifest', () => {
    const dir = writeCut((files) => {
      files.set('proteccion.csv', Buffer.from('RUN;NOMBRES\n1;x\n'));
    });
    const result = san('validate', '--dir', dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('RECHAZADO (missing-columns)');
    expect(result.stdout).toContain('MANIFIESTO: filas');
  });

  it('answers bad usage with a message and exit code 2, without a stack trace', () => {
    const unknown = san('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('comando desconocido "frobnicate"');
    const missing = san('validate', '--dir', '/nonexistent/folder');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--dir /nonexistent/folder no es una carpeta');
    expect(missing.stderr).not.toMatch(STACK_TRACE);
    const badFlag = san('upload', '--dir', '.', '--cut', '2026-13', '--bucket', 'b');
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toContain('--cut: debe ser aaaa-mm');
  });

  it('names a missing flag in Spanish with what it takes', () => {
    const result = san('validate');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('falta --dir <carpeta>');
    expect(result.stderr).toContain('uso: npm run san -- validate --dir <carpeta>');
    expect(result.stderr).not.toMatch(/Invalid input|expected string/);
    const unknownFlag = san('validate', '--dri', '.');
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toContain('opción desconocida --dri');
  });
});

describe('npm run san -- --help', () => {
  it('prints the commands and exits 0, for --help, -h and help alike', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const result = san(flag);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('uso: npm run san -- <comando> [opciones]');
      for (const command of ['validate', 'upload', 'status', 'retry', 'token']) {
        expect(result.stdout).toContain(`  ${command} `);
      }
      expect(result.stderr).not.toContain('desconocido');
    }
  });

  it("prints a command's own help with help <command>", () => {
    const result = san('help', 'status');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('uso: npm run san -- status --cut aaaa-mm --api <url>');
    expect(result.stdout).toContain('--help                    esta ayuda');
  });
});

describe('npm run san -- status', () => {
  it('says in Spanish that it could not connect, with the cause code and no stack trace', async () => {
    const api = `http://127.0.0.1:${await closedPort()}`;
    const result = san('status', '--cut', '2026-10', '--api', api);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`no se pudo conectar con ${api} (ECONNREFUSED)`);
    expect(result.stderr).not.toContain('fetch failed');
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('npm run san -- upload', () => {
  it('explains a missing AWS region in Spanish before reading the files', () => {
    const env = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete env[name];
    const nowhere = join(mkdtempSync(join(tmpdir(), 'san-cli-aws-')), 'none');
    const result = sanWith(
      { ...env, AWS_CONFIG_FILE: nowhere, AWS_SHARED_CREDENTIALS_FILE: nowhere },
      'upload',
      '--dir',
      writeCut(),
      '--cut',
      '2026-10',
      '--bucket',
      'san-raw',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('falta la región de AWS: defina AWS_REGION');
    expect(result.stderr).toContain('--endpoint');
    expect(result.stderr).not.toContain('Region is missing');
    expect(result.stderr).not.toContain('sha256');
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('npm run san -- token', () => {
  it('prints a token signed with the local key for a role, and refuses a scope the role may not hold', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'san-cli-key-'));
    const key = 'a'.repeat(64);
    writeFileSync(join(dataDir, 'jwt.key'), `${key}\n`);
    const result = san('token', 'terapeuta_familiar', '13110', '--data-dir', dataDir);
    expect(result.status).toBe(0);
    const verified = verifyToken(key, result.stdout.trim());
    expect(verified.ok && verified.claims).toMatchObject({
      'custom:role': 'terapeuta_familiar',
      'custom:comunas': '13110',
    });
    const wide = san('token', 'sectorialista', '*', '--data-dir', dataDir);
    expect(wide.status).toBe(2);
    expect(wide.stderr).toContain('debe indicar sus comunas');
    expect(san('token', 'alcalde', '--data-dir', dataDir).stderr).toContain('rol desconocido');
  });
});

describe('npm run san -- model', () => {
  it('lists its subcommands, and names a missing reason or subcommand with exit code 2', () => {
    const help = san('model', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('rollback --reason');
    const none = san('model');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('falta el subcomando');
    const noReason = san('model', 'approve', 'logistic-7-265c1077', '--api', 'http://127.0.0.1:9');
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toContain('falta --reason <motivo>');
    expect(noReason.stderr).not.toMatch(STACK_TRACE);
  });

  it('says in Spanish when the API cannot be reached, with exit code 1', async () => {
    const port = await closedPort();
    const out = san('model', 'list', '--api', `http://127.0.0.1:${port}`);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`no se pudo conectar con http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(out.stderr).not.toMatch(STACK_TRACE);
  });
});

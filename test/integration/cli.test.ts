/** The data team's CLI run as a user runs it: a separate process, its output and its exit code. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../local/auth';
import { generateCut } from '../../tools/generate/generator';

function san(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'tools/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

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
      /rsh\.csv \[rsh\]\n {2}windows-1252, ';': read \d+ = accepted \d+ \+ rejected \d+ \+ duplicates \d+/,
    );
    expect(result.stdout).toContain('quality index');
    expect(result.stdout).toContain('every file can be ingested');
    expect(result.stdout).not.toMatch(/\d{7,8}-[\dK]/);
    expect(result.stdout).not.toMatch(/se esperaba \d/);
  });

  it('finds the cut in the subfolder npm run generate writes, and checks it', () => {
    const cutDir = writeCut(undefined, join('extracts', '2026-10'));
    const result = san('validate', '--dir', join(cutDir, '..', '..'));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`cut folder: ${cutDir}`);
    expect(result.stdout).toMatch(/rsh\.csv \[rsh\]\n/);
    expect(result.stdout).toMatch(/proteccion\.csv \[proteccion\]\n/);
    expect(result.stdout).toContain('every file can be ingested');
  });

  it('refuses a folder with no extract with exit code 2, for validate and upload alike', () => {
    const empty = mkdtempSync(join(tmpdir(), 'san-cli-empty-'));
    for (const result of [
      san('validate', '--dir', empty),
      san('upload', '--dir', empty, '--cut', '2026-10', '--bucket', 'san-raw'),
    ]) {
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`la carpeta ${empty} no tiene extractos`);
      expect(result.stdout).not.toContain('every file can be ingested');
    }
  });

  it('exits 1 naming the problem when a file would be refused or differs from the manifest', () => {
    const dir = writeCut((files) => {
      files.set('proteccion.csv', Buffer.from('RUN;NOMBRES\n1;x\n'));
    });
    const result = san('validate', '--dir', dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('REFUSED (missing-columns)');
    expect(result.stdout).toContain('MANIFEST: filas');
  });

  it('answers bad usage with a message and exit code 2, without a stack trace', () => {
    const unknown = san('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const missing = san('validate', '--dir', '/nonexistent/folder');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('is not a folder');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const badFlag = san('upload', '--dir', '.', '--cut', '2026-13', '--bucket', 'b');
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toContain('--cut: must be yyyy-mm');
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

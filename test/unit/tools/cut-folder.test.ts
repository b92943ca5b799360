/** Finding a cut's folder under the `--dir` the data team passes. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCutFolder } from '../../../tools/cli/cut-folder';
import { UsageError } from '../../../tools/lib/cli-args';

function folder(files: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'san-cut-folder-'));
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'x');
  }
  return root;
}

describe('findCutFolder', () => {
  it('takes the folder itself when it holds extracts', () => {
    const root = folder(['rsh.csv', 'manifest.json']);
    expect(findCutFolder(root)).toEqual({ dir: root, searched: false });
  });

  it('finds the one cut folder that npm run generate writes below --out', () => {
    const root = folder(['extracts/2026-11/rsh.csv', 'extracts/2026-11/manifest.json', 'truth/2026-11.csv']);
    expect(findCutFolder(root)).toEqual({ dir: join(root, 'extracts', '2026-11'), searched: true });
  });

  it('chooses among several cut folders by --cut, and otherwise names them all', () => {
    const root = folder(['extracts/2026-10/rsh.csv', 'extracts/2026-11/salud.csv.gz']);
    expect(findCutFolder(root, '2026-11').dir).toBe(join(root, 'extracts', '2026-11'));
    expect(() => findCutFolder(root)).toThrow(UsageError);
    expect(() => findCutFolder(root)).toThrow(`--dir ${join(root, 'extracts', '2026-10')}`);
    expect(() => findCutFolder(root, '2026-09')).toThrow('ninguna llamada 2026-09');
  });

  it('refuses a folder with no extract, in Spanish, naming the folder and what was expected', () => {
    const root = folder(['manifest.json', 'notes/readme.txt', 'datos.csv']);
    const refusal = (): unknown => findCutFolder(root);
    expect(refusal).toThrow(UsageError);
    expect(refusal).toThrow(`la carpeta ${root} no tiene extractos`);
    expect(refusal).toThrow('se esperaban archivos <fuente>.csv o <fuente>.csv.gz');
    expect(refusal).toThrow('ninguna fuente se llama como datos.csv');
  });

  it('refuses a path that is not a folder', () => {
    expect(() => findCutFolder('/nonexistent/folder')).toThrow('--dir /nonexistent/folder no es una carpeta');
  });
});

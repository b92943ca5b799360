/**
 * Which folder of the data team's disk holds a cut. `--dir` may name the cut's own folder or one
 * above it: `npm run generate -- --out data/demo` writes `data/demo/extracts/<cut>/`, and a team
 * may keep `cortes/<cut>/`. A folder with no extract, here or below, is refused naming what was
 * expected, rather than validated as an empty cut that "can be ingested".
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CONTRACTS, isSourceId } from '../../functions/ingest/domain/contracts';
import { MANIFEST_NAME } from '../../functions/ingest/domain/manifest';
import { UsageError } from '../lib/cli-args';

const EXTRACT_NAME = /\.csv(\.gz)?$/;

/** How deep below `--dir` a cut's folder is looked for (`extracts/<cut>/` is two levels). */
const SEARCH_DEPTH = 2;

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** `<source>.csv[.gz]` files of a known source (a generator's `truth/<cut>.csv` is not one). */
function hasExtracts(dir: string): boolean {
  return readdirSync(dir).some(
    (name) =>
      EXTRACT_NAME.test(name) && isSourceId(name.replace(EXTRACT_NAME, '')) && !isFolder(join(dir, name)),
  );
}

function foldersWithExtracts(dir: string, depth: number): string[] {
  if (depth === 0) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name.startsWith('.') || !isFolder(path)) continue;
    if (hasExtracts(path)) found.push(path);
    else found.push(...foldersWithExtracts(path, depth - 1));
  }
  return found;
}

/**
 * The folder holding the cut's extracts: `dir` itself when it has any, else the one subfolder (up
 * to two levels down) that has them, or the one named `cut` when several do. Throws UsageError
 * (exit code 2) when there is none, or several and no `cut` to choose, saying what to pass.
 */
export function findCutFolder(
  dir: string,
  cut?: string,
): { readonly dir: string; readonly searched: boolean } {
  if (!isFolder(dir)) throw new UsageError(`--dir ${dir} no es una carpeta`);
  if (hasExtracts(dir)) return { dir, searched: false };
  const found = foldersWithExtracts(dir, SEARCH_DEPTH);
  const chosen = cut && found.length > 1 ? found.filter((f) => basename(f) === cut) : found;
  if (chosen.length === 1) return { dir: chosen[0] as string, searched: true };
  if (chosen.length === 0 && found.length === 0) {
    const unknown = readdirSync(dir).filter((name) => EXTRACT_NAME.test(name));
    throw new UsageError(
      `la carpeta ${dir} no tiene extractos: se esperaban archivos <fuente>.csv o <fuente>.csv.gz ` +
        `(fuentes: ${Object.keys(CONTRACTS).join(', ')}) junto a ${MANIFEST_NAME}, en ella o en una ` +
        'subcarpeta del corte (npm run generate los escribe en <out>/extracts/<aaaa-mm>/)' +
        (unknown.length > 0 ? `; ninguna fuente se llama como ${unknown.slice(0, 5).join(', ')}` : ''),
    );
  }
  throw new UsageError(
    `la carpeta ${dir} tiene extractos en ${found.length} subcarpetas` +
      `${cut && chosen.length === 0 ? `, ninguna llamada ${cut}` : ''}; indique la del corte con --dir:\n` +
      found.map((f) => `  --dir ${f}`).join('\n'),
  );
}

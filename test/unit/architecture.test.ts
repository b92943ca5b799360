/**
 * The layout rules of `functions/` as tests, so that a move or an import that breaks them fails in
 * `npm test` rather than in review: functions reach nothing outside `functions/` but packages, the
 * domain imports nothing from AWS, a feature root holds only folders, and each function folder is
 * an `index.ts` entry over an `app.ts` factory.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { system } from '../../infra/system';

const ROOT = resolve(import.meta.dirname, '../..');
const FUNCTIONS = join(ROOT, 'functions');

/** Packages that tie code to AWS or to Lambda, which the domain must not import. */
const AWS_PACKAGE = /^(@aws-sdk\/|@aws-lambda-powertools\/|aws-lambda$|aws-sdk$|@middy\/)/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const sources = walk(FUNCTIONS).filter((f) => f.endsWith('.ts'));

/** Every module specifier a file imports or re-exports, type-only and dynamic imports included. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

const rel = (path: string): string => relative(ROOT, path).split(sep).join('/');

describe('architecture of functions/', () => {
  it('has no file importing anything outside functions/ but packages', () => {
    expect(sources.length).toBeGreaterThan(50);
    const outside = sources.flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('.'))
        .filter((spec) => !resolve(dirname(file), spec).startsWith(FUNCTIONS + sep))
        .map((spec) => `${rel(file)} imports ${spec}`),
    );
    expect(outside).toEqual([]);
  });

  it('has no domain file importing an AWS SDK, Powertools or Lambda package', () => {
    const domain = sources.filter((f) => rel(f).split('/').includes('domain'));
    expect(domain.length).toBeGreaterThan(20);
    const offending = domain.flatMap((file) =>
      importsOf(file)
        .filter((spec) => AWS_PACKAGE.test(spec))
        .map((spec) => `${rel(file)} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('keeps domain files off adapters, and the readers of curated data off ingest adapters', () => {
    const offending = sources.flatMap((file) => {
      const path = rel(file);
      const inDomain = path.split('/').includes('domain');
      const reader = path.startsWith('functions/score/') || path.startsWith('functions/quality/');
      return importsOf(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => rel(resolve(dirname(file), spec)))
        .filter(
          (target) =>
            (inDomain && target.split('/').includes('adapters')) ||
            (reader && target.startsWith('functions/ingest/adapters/')),
        )
        .map((target) => `${path} imports ${target}`);
    });
    expect(offending).toEqual([]);
  });

  it('holds only folders at the root of each feature', () => {
    const files = readdirSync(FUNCTIONS)
      .map((feature) => join(FUNCTIONS, feature))
      .filter((path) => statSync(path).isDirectory())
      .flatMap((feature) => readdirSync(feature).map((name) => join(feature, name)))
      .filter((path) => !statSync(path).isDirectory())
      .map(rel);
    expect(files).toEqual([]);
  });

  it('gives each function folder an index.ts entry and an app.ts factory', () => {
    const entries = sources.filter(
      (f) => f.endsWith(`${sep}index.ts`) && /export const handler\b/.test(readFileSync(f, 'utf8')),
    );
    const folders = new Set([
      ...entries.map((f) => rel(dirname(f))),
      ...Object.values(system.functions).map((fn) => fn.dir),
    ]);
    const incomplete = [...folders].filter(
      (dir) => !existsSync(join(ROOT, dir, 'index.ts')) || !existsSync(join(ROOT, dir, 'app.ts')),
    );
    expect(folders.size).toBeGreaterThanOrEqual(Object.keys(system.functions).length);
    expect(incomplete).toEqual([]);
    // Every function folder is one the system definition deploys.
    const deployed = new Set(Object.values(system.functions).map((fn) => fn.dir));
    expect([...folders].filter((dir) => !deployed.has(dir))).toEqual([]);
  });
});

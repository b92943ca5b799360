/**
 * One file, one reading: `npm run san -- validate`, training's reader and the cloud path (planner
 * and tasks over in-memory stand-ins) must read an extract alike. The file here is the case that
 * an encoding guessed from the first 64 KiB gets wrong: a registry file that is ASCII for more
 * than 64 KiB and then has one Latin-1 row, MUÑOZ, which must come out as MUÑOZ everywhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { SourceContract } from '../../functions/ingest/domain/contracts';
import { rshContract } from '../../functions/ingest/domain/contracts';
import { ingestExtract } from '../../functions/ingest/domain/ingest-extract';
import { planRun } from '../../functions/ingest/domain/run/plan';
import { checkDigit } from '../../functions/shared/domain/run';
import { curatedRecordsOf } from '../../tools/train/dataset';
import { manifestOf } from '../unit/fixtures';
import { HEADER, harness, pseudonymiser } from '../unit/ingest/run/harness';

const row = (body: number, surname: string): string =>
  `${body};${checkDigit(body)};Ana Maria;${surname};05-03-2012;F;F${body % 7};40;4;2;120.000;10;S;N;N;Chilena;13101;10-01-2026;URBANA`;

/** ASCII for more than 64 KiB, then one row in Latin-1 (Ñ is the single byte 0xD1). */
function asciiThenLatin1(): { bytes: Buffer; munozRun: string } {
  const lines = [HEADER];
  let body = 21_000_000;
  let size = HEADER.length + 1;
  while (size <= 80 * 1024) {
    const line = row(body++, 'SOTO');
    lines.push(line);
    size += line.length + 1;
  }
  const ascii = Buffer.from(`${lines.join('\n')}\n`, 'ascii');
  const latin1 = Buffer.from(`${row(body, 'MUÑOZ')}\n`, 'latin1');
  expect(ascii.length).toBeGreaterThan(64 * 1024);
  expect(latin1.includes(0xd1)).toBe(true);
  return { bytes: Buffer.concat([ascii, latin1]), munozRun: `${body}-${checkDigit(body)}` };
}

const sorted = <T>(items: readonly T[]): string[] => items.map((i) => JSON.stringify(i)).sort();

/** The cloud path: planner, chunk, reduce, finalize and publish tasks, over in-memory stores. */
async function cloud(bytes: Buffer, chunkBytes: number) {
  const { deps, identities, upload, drain } = harness({ chunkBytes, reduceBytes: 2 * chunkBytes });
  const plan = await planRun(deps, upload('rsh.csv', bytes));
  if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
  const report = await drain();
  const records = [...deps.curated.objects.entries()]
    .filter(([k]) => k.includes('/run=') && k.includes('/comuna='))
    .flatMap(([, b]) => b.toString('utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as unknown);
  return { report, records, identities: [...identities] };
}

describe('validate, training and the cloud read one file alike', () => {
  const { bytes, munozRun } = asciiThenLatin1();

  it('the cloud path reads the Latin-1 row after 64 KiB of ASCII as MUÑOZ', async () => {
    for (const chunkBytes of [32 * 1024 ** 2, 16 * 1024]) {
      const { report, identities } = await cloud(bytes, chunkBytes);
      expect(report).toMatchObject({ status: 'accepted', rejected: 0 });
      expect(identities.find((i) => i.run === munozRun)).toMatchObject({ paternalSurname: 'MUÑOZ' });
    }
  });

  it('the single pass of validate and training writes the records and identities the cloud writes', async () => {
    const { report, records, identities } = await cloud(bytes, 16 * 1024);
    for (const chunkBytes of [undefined, 16 * 1024]) {
      const single = await ingestExtract({
        contract: rshContract as SourceContract<unknown>,
        cut: '2026-10',
        objectKey: 'extracts/2026-10/rsh.csv',
        body: Readable.from([bytes]),
        pseudonymiser,
        ...(chunkBytes ? { chunkBytes } : {}),
      });
      expect(single.identities.find((i) => i.run === munozRun)).toMatchObject({ paternalSurname: 'MUÑOZ' });
      expect(sorted(single.identities)).toEqual(sorted(identities));
      expect(sorted([...single.partitions.values()].flat())).toEqual(sorted(records));
      expect(single.report.layout).toEqual(report?.layout);
      expect(single.report.encoding).toEqual(report?.encoding);
    }
    const training = await curatedRecordsOf(
      { source: 'rsh', name: 'rsh.csv', bytes },
      '2026-10',
      pseudonymiser,
    );
    expect(sorted(training)).toEqual(sorted(records));
  });

  it('npm run san -- validate reports what the cloud reports', async () => {
    const { report } = await cloud(bytes, 16 * 1024);
    const dir = mkdtempSync(join(tmpdir(), 'san-one-reading-'));
    writeFileSync(join(dir, 'rsh.csv'), bytes);
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify(manifestOf('2026-10', [{ name: 'rsh.csv', bytes }])),
    );
    const out = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'tools/cli/main.ts', 'validate', '--dir', dir],
      {
        encoding: 'utf8',
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    expect(out.status).toBe(0);
    expect(report?.layout?.encoding).toBe('windows-1252');
    expect(out.stdout).toContain(
      `rsh.csv [rsh]\n  ${report?.layout?.encoding}, ';': leídas ${report?.rowsRead} = aceptadas ${report?.accepted} + ` +
        `rechazadas ${report?.rejected} + duplicadas ${report?.duplicates}`,
    );
    expect(out.stdout).toContain('todos los archivos se pueden ingerir');
  });
});

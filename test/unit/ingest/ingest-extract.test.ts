import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { SourceContract } from '../../../functions/ingest/domain/contracts';
import { CONTRACTS, educationContract, rshContract } from '../../../functions/ingest/domain/contracts';
import type { FileProblem } from '../../../functions/ingest/domain/csv-reader';
import { ingestExtract, parseExtractKey } from '../../../functions/ingest/domain/ingest-extract';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { generateCut } from '../../../tools/generate/generator';

const pseudonymiser = createPseudonymiser('ab'.repeat(32));
const HEADER =
  'RUN;DV;NOMBRES;APELLIDO_PATERNO;APELLIDO_MATERNO;FECHA_NACIMIENTO;SEXO;FOLIO_HOGAR;TRAMO_RSH;N_PERSONAS_HOGAR;' +
  'N_DORMITORIOS;INGRESO_PER_CAPITA;ESCOLARIDAD_JEFE;JEFATURA_MONOPARENTAL;DISCAPACIDAD_HOGAR;PUEBLO_ORIGINARIO;' +
  'NACIONALIDAD;DIRECCION;COMUNA;FECHA_ENCUESTA';
const row = (
  run: string,
  dv: string,
  overrides: Partial<Record<'birth' | 'sex' | 'name' | 'comuna', string>> = {},
) =>
  [
    run,
    dv,
    overrides.name ?? 'José Tomás',
    'Muñoz',
    'Núñez',
    overrides.birth ?? '05-03-2012',
    overrides.sex ?? 'M',
    'F0001',
    '40',
    '5',
    '1',
    '87.500,0',
    '8',
    'S',
    'N',
    'N',
    'Chilena',
    'Pasaje Ñandú 123',
    overrides.comuna ?? '13101',
    '10-01-2026',
  ].join(';');

const ingest = (
  bytes: Buffer,
  contract: SourceContract<unknown> = rshContract as SourceContract<unknown>,
  readOptions?: Parameters<typeof ingestExtract>[0]['readOptions'],
) =>
  ingestExtract({
    contract,
    cut: '2026-10',
    objectKey: 'extracts/2026-10/rsh.csv',
    body: Readable.from([bytes]),
    pseudonymiser,
    ...(readOptions ? { readOptions } : {}),
  });

describe('ingestExtract: every row accounted for', () => {
  it('accepts, rejects with line, field and reason, and counts duplicates', async () => {
    const text = [
      HEADER,
      row('12345678', '5'),
      row('12345678', '5'), // duplicate
      row('11111111', '2'), // wrong check digit
      row('22222222', '2', { birth: '31-02-2012' }), // impossible date
      row('10000004', '0', { sex: 'X' }),
      row('6000000', 'K', { comuna: '1101' }), // CUT without its leading zero
      '10000013;K;solo;tres',
    ].join('\r\n');
    const result = await ingest(iconv.encode(text, 'windows-1252'));
    const r = result.report;
    expect(r.status).toBe('accepted');
    expect(r.rowsRead).toBe(7);
    expect(r.accepted + r.rejected + r.duplicates).toBe(r.rowsRead);
    expect([r.accepted, r.rejected, r.duplicates]).toEqual([2, 4, 1]);
    expect(r.layout).toMatchObject({ encoding: 'windows-1252', delimiter: ';', gzip: false });
    expect(result.quarantine.map((q) => [q.line, q.field])).toEqual([
      [4, 'RUN'],
      [5, 'FECHA_NACIMIENTO'],
      [6, 'SEXO'],
      [8, '(fila)'],
    ]);
    expect(result.quarantine[0]?.reason).toContain('se esperaba 1');
    expect(r.acceptedByComuna).toEqual({ '13101': 1, '01101': 1 });
  });

  it('decodes Latin-1 and UTF-8 alike, and keeps personal data out of curated records', async () => {
    for (const encoding of ['windows-1252', 'utf-8'] as const) {
      const result = await ingest(iconv.encode([HEADER, row('12345678', '5')].join('\n'), encoding));
      expect(result.report.layout?.encoding).toBe(encoding);
      const record = result.partitions.get('13101')?.[0];
      expect(record).toBeDefined();
      const curated = JSON.stringify(record);
      for (const personal of ['12345678', 'José', 'Muñoz', 'Ñandú', 'F0001'])
        expect(curated).not.toContain(personal);
      expect(record).toMatchObject({
        incomePerCapita: 87_500,
        rshBracket: 40,
        singleParent: true,
        migrant: false,
      });
      expect(result.identities[0]).toMatchObject({
        run: '12345678-5',
        givenNames: 'José Tomás',
        paternalSurname: 'Muñoz',
      });
    }
  });

  it('reads gzip and comma-delimited files with header aliases', async () => {
    const edu =
      'RUN,DV,RBD,COMUNA,GRADO,PERIODO,PORC_ASISTENCIA,REPITENTE,RETIRADO\n12345678,5,1234,13101,4,10-2026,"91,5",0,0\n';
    const result = await ingest(gzipSync(Buffer.from(edu)), educationContract as SourceContract<unknown>);
    expect(result.report).toMatchObject({ status: 'accepted', accepted: 1 });
    expect(result.report.layout).toMatchObject({ gzip: true, delimiter: ',' });
    expect(result.partitions.get('13101')?.[0]).toMatchObject({ month: '2026-10', attendancePct: 91.5 });
  });

  it.each<[string, Buffer, FileProblem]>([
    ['an empty file', Buffer.alloc(0), 'empty'],
    ['a header-only gzip of nothing', gzipSync(Buffer.alloc(0)), 'empty'],
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x01, 0x02]), 'not-csv'],
    ['a file without the required columns', Buffer.from('RUN;DV;NOMBRES\n1;2;3\n'), 'missing-columns'],
    [
      'a truncated gzip',
      gzipSync(Buffer.from(`${HEADER}\n${row('12345678', '5')}\n`)).subarray(0, 40),
      'corrupt-gzip',
    ],
  ])('rejects %s as a whole, writing nothing', async (_name, bytes, problem) => {
    const result = await ingest(bytes);
    expect(result.report.status).toBe('rejected');
    expect(result.report.error?.problem).toBe(problem);
    expect(result.report.error?.message.length).toBeGreaterThan(10);
    expect(result.partitions.size).toBe(0);
    expect(result.identities).toHaveLength(0);
  });

  it('does not quote a first line that is a record rather than a header', async () => {
    const result = await ingest(Buffer.from(`${row('12345678', '5')}\n${row('11111111', '1')}\n`));
    expect(result.report.error?.problem).toBe('missing-columns');
    expect(result.report.error?.message).not.toContain('12345678');
    expect(result.report.error?.message).not.toContain('José');
    expect(result.report.error?.message).toContain('no parece un encabezado');
  });

  it('stops a decompression bomb at the configured size', async () => {
    const bomb = gzipSync(Buffer.from(`${HEADER}\n${'x'.repeat(2_000_000)}`));
    expect(bomb.length).toBeLessThan(10_000);
    const result = await ingest(bomb, undefined, {
      maxFieldChars: 10_000_000,
      maxDecompressedBytes: 1_000_000,
    });
    expect(result.report.error?.problem).toBe('decompression-bomb');
  });

  it('accounts for every row of every source of a generated cut', async () => {
    const cut = generateCut({ children: 400, seed: 3, cut: '2026-10', defectRate: 0.05 });
    expect(cut.files.map((f) => f.source).sort()).toEqual(Object.keys(CONTRACTS).sort());
    for (const file of cut.files) {
      const { report } = await ingest(file.bytes, CONTRACTS[file.source]);
      expect(report.status, file.name).toBe('accepted');
      expect(report.accepted + report.rejected + report.duplicates).toBe(report.rowsRead);
      expect(report.rowsRead, file.name).toBe(file.rows);
    }
  });
});

describe('parseExtractKey', () => {
  it('reads cut and source from the key and explains a bad one', () => {
    expect(parseExtractKey('extracts/2026-10/rsh.csv.gz', 'extracts/')).toEqual({
      ok: true,
      cut: '2026-10',
      source: 'rsh',
    });
    expect(parseExtractKey('extracts/2026-13/rsh.csv', 'extracts/').ok).toBe(false);
    const bad = parseExtractKey('otra/cosa.csv', 'extracts/');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('extracts/<aaaa-mm>/<fuente>.csv');
  });
});

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CONTRACTS, protectionContract } from '../../../functions/ingest/domain/contracts';
import { ingestExtract } from '../../../functions/ingest/domain/ingest-extract';
import type { QualityTally } from '../../../functions/ingest/domain/quality';
import {
  buildQualityReport,
  cumulativeIci,
  scoresOf,
  tallyAccepted,
} from '../../../functions/ingest/domain/quality';
import { viewOf } from '../../../functions/quality/domain/quality-view';
import { businessDaysBetween, isBusinessDay } from '../../../functions/shared/domain/business-days';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';

describe('business days in Chile', () => {
  it('skips weekends and public holidays', () => {
    expect(isBusinessDay('2026-09-18')).toBe(false); // Fiestas Patrias, a Friday
    expect(isBusinessDay('2026-09-21')).toBe(true);
    // Thursday 17 → Tuesday 22 September 2026: 18 and 19 are holidays, 20 a Sunday.
    expect(businessDaysBetween('2026-09-17', '2026-09-22')).toBe(2);
    // Friday → next Friday, no holiday: five business days.
    expect(businessDaysBetween('2026-11-06', '2026-11-13')).toBe(5);
    expect(businessDaysBetween('2026-11-13', '2026-11-06')).toBe(0);
  });
});

const header =
  'RUN;DV;NOMBRES;APELLIDO_PATERNO;APELLIDO_MATERNO;SEXO;FECHA_NACIMIENTO;NACIONALIDAD;COMUNA;CODIGO_PROYECTO;MODELO;' +
  'CAUSAL_INGRESO;FECHA_INGRESO;FECHA_REGISTRO_INGRESO;CONTACTO_NOMBRE;CONTACTO_RELACION;RUN_MADRE;NOMBRE_MADRE';

function protectionFile(rows: string[]): Buffer {
  return Buffer.from([header, ...rows].join('\n'));
}

describe('data-quality index of child-protection programs', () => {
  const pseudonymiser = createPseudonymiser('ef'.repeat(32));
  const run = async (rows: string[]) =>
    ingestExtract({
      contract: CONTRACTS.proteccion,
      cut: '2026-10',
      objectKey: 'proteccion.csv',
      body: Readable.from([protectionFile(rows)]),
      pseudonymiser,
    });

  it('counts completeness with the documented exclusions and timeliness in business days', async () => {
    const result = await run([
      // Complete, registered the next business day; mother present.
      '12345678;5;Ana;Soto;Díaz;F;2015-03-02;Chilena;13101;P1;PPF;NEGLIGENCIA;2026-09-01;2026-09-02;Rosa Díaz;Abuela;8.123.456-6;Rosa Díaz',
      // Street situation: the mother's data is excluded; registered 8 business days late; no contact.
      '11111111;1;Luis;Mora;;M;2010-01-01;Chilena;13101;P1;PPF;SITUACION_CALLE;2026-09-01;2026-09-11;;;;',
      // Migrant: no maternal surname required; mother missing though required.
      '22222222;2;Yohan;Pérez;;M;2012-06-06;Venezolana;13101;P2;PIE;MALTRATO_FISICO;2026-08-03;2026-08-04;Ana Pérez;Madre;;',
    ]);
    const entries = new Map(result.quality?.entries.map((e) => [e.institution, e]));
    const p1 = entries.get('Proyecto P1');
    expect(p1?.counts.completeness.madre).toEqual({ applicable: 1, met: 1 });
    expect(p1?.counts.completeness.persona_contacto).toEqual({ applicable: 2, met: 1 });
    expect(p1?.counts.timeliness.registro_ingreso).toEqual({ applicable: 2, met: 1 });
    const p2 = entries.get('Proyecto P2');
    expect(p2?.counts.completeness.apellido_materno).toBeUndefined();
    expect(p2?.counts.completeness.madre).toEqual({ applicable: 1, met: 0 });
    expect(p2?.scores.timeliness).toBe(100);
  });

  it('attributes rejected rows to the institution named in the raw row (validity)', async () => {
    const result = await run([
      '12345678;5;Ana;Soto;Díaz;F;2015-03-02;Chilena;13101;P9;PPF;NEGLIGENCIA;2026-09-01;2026-09-02;R;A;;',
      '12345678;4;Ana;Soto;Díaz;F;2015-03-02;Chilena;13101;P9;PPF;NEGLIGENCIA;2026-09-03;2026-09-03;R;A;;',
    ]);
    const p9 = result.quality?.entries.find((e) => e.institution === 'Proyecto P9');
    expect(p9?.counts).toMatchObject({ rows: 2, rejected: 1 });
    expect(p9?.scores.validity).toBe(50);
  });

  it('never takes free text from a rejected row as an institution name', async () => {
    const health = await ingestExtract({
      contract: CONTRACTS.salud,
      cut: '2026-10',
      objectKey: 'salud.csv',
      body: Readable.from([
        Buffer.from(
          'RUN;DV;COMUNA;FECHA_ATENCION;TIPO_ATENCION;ESTABLECIMIENTO\n' +
            '12345678;5;13101;2026-09-01;URGENCIA;Ana María Pérez, Pasaje 3\n' +
            '12345678;4;13101;2026-09-01;URGENCIA;13-101\n',
        ),
      ]),
      pseudonymiser,
    });
    const institutions = health.quality?.entries.map((e) => e.institution);
    expect(institutions).toEqual(
      expect.arrayContaining(['(institución no identificada)', 'Establecimiento 13-101']),
    );
    expect(JSON.stringify(health.quality)).not.toContain('Ana');
  });

  it('applies the model deadline to diagnoses and the monthly visit rule to residences only', () => {
    const tally: QualityTally = {};
    const base = {
      birthDate: '2014-01-01',
      sex: 'F' as const,
      migrant: false,
      project: 'P',
      cause: 'NEGLIGENCIA' as const,
      entryDate: '2026-05-01',
      present: {
        names: true,
        maternalSurname: true,
        contact: true,
        mother: true,
        father: true,
        responsibleAdult: true,
      },
    };
    tallyAccepted(
      tally,
      protectionContract as never,
      { ...base, model: 'RES', diagnosisDate: '2026-06-10' },
      '13101',
      '2026-10-31',
    );
    tallyAccepted(
      tally,
      protectionContract as never,
      { ...base, model: 'DAM', diagnosisDate: '2026-06-10' },
      '13101',
      '2026-10-31',
    );
    const c = tally['Proyecto P|13101'];
    expect(c?.completeness.diagnostico_en_plazo).toEqual({ applicable: 2, met: 1 }); // 40 days: within RES's 90, past DAM's 30
    expect(c?.completeness.visitas_mes).toEqual({ applicable: 1, met: 0 });
  });
});

describe('scores and cumulative index', () => {
  it('averages the dimensions that apply and follows the ICI annual rule', () => {
    const scores = scoresOf({
      rows: 10,
      rejected: 2,
      duplicates: 1,
      carried: 0,
      completeness: { a: { applicable: 8, met: 6 } },
      timeliness: {},
    });
    expect(scores).toEqual({ completeness: 75, validity: 80, uniqueness: 87.5, ici: 80.8 });
    expect(cumulativeIci([90, 80, 70])).toEqual({ annual: 21.8, average: 80, months: 3 });
  });

  it('gives no index where no row was read, and does not average in dimensions that do not apply', async () => {
    const pseudonymiser = createPseudonymiser('ef'.repeat(32));
    const headerOnly = await ingestExtract({
      contract: CONTRACTS.proteccion,
      cut: '2026-11',
      objectKey: 'proteccion.csv',
      body: Readable.from([Buffer.from(`${header}\n`)]),
      pseudonymiser,
    });
    expect(headerOnly.quality?.total.scores).toEqual({
      ici: null,
      note: 'Sin filas en este extracto: no hay índice de calidad que calcular.',
    });
    // An institution absent from the extract, whose earlier inconsistencies are carried.
    const absent = scoresOf({
      rows: 0,
      rejected: 0,
      duplicates: 0,
      carried: 3,
      completeness: { madre: { applicable: 3, met: 0 } },
      timeliness: {},
    });
    expect(absent.ici).toBeNull();
    expect(absent.note).toContain('siguen abiertas 3 inconsistencias');
    // Every row rejected: no valid row to judge uniqueness by.
    expect(
      scoresOf({ rows: 4, rejected: 4, duplicates: 0, carried: 0, completeness: {}, timeliness: {} }),
    ).toEqual({ validity: 0, ici: 0 });
  });

  it('ranks and accumulates only the institutions an extract measured', () => {
    const counts = (rows: number, carried = 0) => ({
      rows,
      rejected: 0,
      duplicates: 0,
      carried,
      completeness: { madre: { applicable: rows + carried, met: rows } },
      timeliness: {},
    });
    const month = (cut: string, tally: Record<string, ReturnType<typeof counts>>) =>
      buildQualityReport(CONTRACTS.proteccion, { cut, runId: `r-${cut}` }, tally);
    const october = month('2026-10', { 'Proyecto P1|13101': counts(4), 'Proyecto P2|13101': counts(2) });
    const november = month('2026-11', { 'Proyecto P1|13101': counts(0, 2), 'Proyecto P2|13101': counts(1) });
    expect(november.entries.map((e) => [e.institution, e.scores.ici])).toEqual([
      ['Proyecto P2', 100],
      ['Proyecto P1', null],
    ]);
    const view = viewOf(november, [october], '*', CONTRACTS.proteccion);
    const p1 = view.entries.find((e) => e.institution === 'Proyecto P1');
    expect(p1?.cumulative).toEqual({ annual: 9.1, average: 100, months: 1 });
  });

  it('restricts a report to the caller comunas and recomputes its total', async () => {
    const pseudonymiser = createPseudonymiser('ef'.repeat(32));
    const result = await ingestExtract({
      contract: CONTRACTS.proteccion,
      cut: '2026-10',
      objectKey: 'p.csv',
      body: Readable.from([
        protectionFile([
          '12345678;5;Ana;Soto;Díaz;F;2015-03-02;Chilena;13101;P1;PPF;NEGLIGENCIA;2026-09-01;2026-09-02;R;A;;',
          '11111111;1;Luis;Mora;Paz;M;2010-01-01;Chilena;13110;P2;PPF;NEGLIGENCIA;2026-09-01;2026-09-30;;;;',
        ]),
      ]),
      pseudonymiser,
    });
    if (!result.quality) throw new Error('no quality report');
    const view = viewOf(result.quality, [], ['13101'], CONTRACTS.proteccion);
    expect(view.entries.map((e) => e.comuna)).toEqual(['13101']);
    expect(view.total.counts.rows).toBe(1);
    expect(view.cumulative.months).toBe(1);
  });
});

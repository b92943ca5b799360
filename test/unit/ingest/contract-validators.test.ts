import { describe, expect, it } from 'vitest';
import type { RshFields } from '../../../functions/ingest/domain/contracts';
import {
  civilRegistryContract,
  protectionContract,
  rshContract,
} from '../../../functions/ingest/domain/contracts';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';

const RSH_COLUMNS = [
  'COMUNA',
  'RUN',
  'DV',
  'NOMBRES',
  'APELLIDO_PATERNO',
  null, // a column outside the contract
  'FECHA_NACIMIENTO',
  'SEXO',
  'FOLIO_HOGAR',
  'TRAMO_RSH',
  'N_PERSONAS_HOGAR',
  'N_DORMITORIOS',
  'INGRESO_PER_CAPITA',
  'ESCOLARIDAD_JEFE',
  'JEFATURA_MONOPARENTAL',
  'DISCAPACIDAD_HOGAR',
  'PUEBLO_ORIGINARIO',
  'NACIONALIDAD',
  'FECHA_ENCUESTA',
];
const RSH_ROW = [
  '13101',
  '12345678',
  '5',
  'José  Tomás',
  'Muñoz',
  'ignored',
  '05-03-2012',
  'M',
  ' F0001 ',
  '40',
  '5',
  '1',
  '87.500,0',
  '8',
  'S',
  'N',
  'no',
  'Peruana',
  '10-01-2026',
];

function withValue(
  row: readonly string[],
  columns: readonly (string | null)[],
  column: string,
  value: string,
) {
  const copy = [...row];
  copy[columns.indexOf(column)] = value;
  return copy;
}

describe('contract validators bound to a file layout', () => {
  const validate = rshContract.validator(RSH_COLUMNS);

  it('read each column at its position; columns the file lacks read as empty', () => {
    const result = validate(RSH_ROW);
    expect(result).toEqual({
      ok: true,
      row: {
        run: { body: 12_345_678, dv: '5' },
        comuna: '13101',
        fields: {
          birthDate: '2012-03-05',
          sex: 'M',
          householdFolio: 'F0001',
          rshBracket: 40,
          householdSize: 5,
          bedrooms: 1,
          incomePerCapita: 87_500,
          headSchoolingYears: 8,
          singleParent: true,
          disabilityInHousehold: false,
          indigenous: false,
          migrant: true,
          zoneInFile: false,
          surveyDate: '2026-01-10',
          comuna: '13101',
          hasMaternalSurname: false,
          hasAddress: false,
        },
        identity: {
          run: { body: 12_345_678, dv: '5' },
          givenNames: 'José Tomás',
          paternalSurname: 'Muñoz',
          birthDate: '2012-03-05',
          comuna: '13101',
        },
      },
    });
  });

  it('name the first failing column in the order the contract declares, RUN first', () => {
    let row = withValue(RSH_ROW, RSH_COLUMNS, 'SEXO', 'X');
    row = withValue(row, RSH_COLUMNS, 'FECHA_ENCUESTA', '31-02-2026');
    expect(validate(row)).toEqual({ ok: false, error: { field: 'SEXO', reason: 'sexo inválido "X" (F/M)' } });
    row = withValue(row, RSH_COLUMNS, 'FECHA_NACIMIENTO', '');
    expect(validate(row)).toEqual({
      ok: false,
      error: { field: 'FECHA_NACIMIENTO', reason: 'fecha inválida "" (se espera dd-mm-aaaa o aaaa-mm-dd)' },
    });
    row = withValue(row, RSH_COLUMNS, 'DV', '4');
    expect(validate(row)).toEqual({
      ok: false,
      error: { field: 'RUN', reason: 'dígito verificador no corresponde (12345678-4, se esperaba 5)' },
    });
    expect(validate(withValue(RSH_ROW, RSH_COLUMNS, 'TRAMO_RSH', '45'))).toEqual({
      ok: false,
      error: { field: 'TRAMO_RSH', reason: 'tramo debe ser 40, 50, …, 100' },
    });
    expect(validate(withValue(RSH_ROW, RSH_COLUMNS, 'FECHA_ENCUESTA', '01-01-2010'))).toEqual({
      ok: false,
      error: { field: 'FECHA_NACIMIENTO', reason: 'posterior a la fecha de encuesta' },
    });
  });

  it('read the registry zone when the file has it, and leave it unknown when blank or absent', () => {
    const columns = [...RSH_COLUMNS, 'ZONA'];
    const zone = rshContract.validator(columns);
    const ruralOf = (value: string) => {
      const result = zone([...RSH_ROW, value]);
      if (!result.ok) throw new Error(result.error.reason);
      return result.row.fields.rural;
    };
    expect(['RURAL', 'r', ' 2 '].map(ruralOf)).toEqual([true, true, true]);
    expect(['URBANA', 'Urbano', 'U', '1'].map(ruralOf)).toEqual([false, false, false, false]);
    expect(ruralOf('')).toBeUndefined();
    // An unreadable zone is unknown, not a reason to drop the child's registry record.
    expect(ruralOf('costa')).toBeUndefined();
    const rural = zone([...RSH_ROW, 'R']);
    expect(rural.ok && rural.row.fields.zoneInFile).toBe(true);
    // The quality index expects a zone only from files that have the column.
    const item = rshContract.quality.completeness.find((c) => c.item === 'zona');
    const fieldsOf = (result: ReturnType<typeof validate>) => {
      if (!result.ok) throw new Error(result.error.reason);
      return result.row.fields;
    };
    const unreadable = fieldsOf(zone([...RSH_ROW, 'costa']));
    expect(item?.applies(unreadable, '2026-10-31')).toBe(true);
    expect(item?.present(unreadable, '2026-10-31')).toBe(false);
    expect(item?.present(fieldsOf(rural), '2026-10-31')).toBe(true);
    expect(item?.applies(fieldsOf(validate(RSH_ROW)), '2026-10-31')).toBe(false);
    const absent = validate(RSH_ROW);
    if (!absent.ok) throw new Error(absent.error.reason);
    expect(absent.row.fields.rural).toBeUndefined();
    // The curated record carries the zone only when it is known.
    const pseudonymiser = createPseudonymiser('11'.repeat(32));
    const curated = (fields: RshFields) =>
      JSON.parse(JSON.stringify(rshContract.curate(fields, pseudonymiser)));
    const known = zone([...RSH_ROW, 'RURAL']);
    const unknown = zone([...RSH_ROW, '']);
    if (!known.ok || !unknown.ok) throw new Error('rows should pass');
    expect(curated(known.row.fields).rural).toBe(true);
    expect('rural' in curated(unknown.row.fields)).toBe(false);
  });

  it('check the RUNs of relatives before the other columns', () => {
    const columns = ['RUN', 'DV', 'SEXO', 'RUN_MADRE', 'RUN_PADRE', 'FECHA_NACIMIENTO'];
    const validate = protectionContract.validator(columns);
    expect(validate(['12345678', '5', 'X', '1-2-3', '', ''])).toEqual({
      ok: false,
      error: { field: 'RUN_MADRE', reason: 'RUN mal formado: "1-2-3"' },
    });
    expect(validate(['12345678', '5', 'X', '12.345.678-5', '', ''])).toEqual({
      ok: false,
      error: { field: 'SEXO', reason: 'sexo inválido "X" (F/M)' },
    });
    const civil = civilRegistryContract.validator([
      'RUN',
      'DV',
      'RUN_MADRE',
      'DV_MADRE',
      'FECHA_NACIMIENTO',
      'SEXO',
    ]);
    const accepted = civil(['12345678', '5', '12345678', '5', '2012-03-05', 'F']);
    expect(accepted.ok && accepted.row.fields).toEqual({
      birthDate: '2012-03-05',
      sex: 'F',
      mother: { body: 12_345_678, dv: '5' },
    });
    expect(civil(['12345678', '5', '12345678', '4', '2012-03-05', 'F'])).toEqual({
      ok: false,
      error: { field: 'RUN_MADRE', reason: 'dígito verificador no corresponde (12345678-4, se esperaba 5)' },
    });
  });
});

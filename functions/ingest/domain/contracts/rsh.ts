/** Registro Social de Hogares: children under 18 with their household's data. */

import { normaliseCut } from '../../../shared/domain/comunas';
import type { CuratedFields, RshRecord } from '../../../shared/domain/curated-records';
import {
  comunaCut,
  decimal,
  flag,
  integer,
  isoDate,
  optionalText,
  RowRejection,
  refine,
  requiredText,
  rowSchema,
  ruralZone,
  sex,
  subjectValidator,
} from './fields';
import type { SourceContract } from './types';

const schema = rowSchema({
  FECHA_NACIMIENTO: isoDate,
  SEXO: sex,
  FOLIO_HOGAR: requiredText(20),
  TRAMO_RSH: refine(integer(40, 100), (n) => n % 10 === 0, 'tramo debe ser 40, 50, …, 100'),
  N_PERSONAS_HOGAR: integer(1, 30),
  N_DORMITORIOS: integer(0, 20),
  INGRESO_PER_CAPITA: decimal(0, 50_000_000),
  ESCOLARIDAD_JEFE: integer(0, 25),
  JEFATURA_MONOPARENTAL: flag,
  DISCAPACIDAD_HOGAR: flag,
  PUEBLO_ORIGINARIO: flag,
  NACIONALIDAD: optionalText(40),
  COMUNA: comunaCut,
  FECHA_ENCUESTA: isoDate,
  NOMBRES: requiredText(80),
  APELLIDO_PATERNO: requiredText(60),
  APELLIDO_MATERNO: optionalText(60),
  DIRECCION: optionalText(160),
  ZONA: ruralZone,
});

export interface RshFields {
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly householdFolio: string;
  readonly rshBracket: number;
  readonly householdSize: number;
  readonly bedrooms: number;
  readonly incomePerCapita: number;
  readonly headSchoolingYears: number;
  readonly singleParent: boolean;
  readonly disabilityInHousehold: boolean;
  readonly indigenous: boolean;
  readonly migrant: boolean;
  /** Rural or urban zone of the dwelling; `undefined` when the extract does not say. */
  readonly rural: boolean | undefined;
  /** For the quality index only: the file has a `ZONA` column (the zone is then expected). */
  readonly zoneInFile: boolean;
  readonly surveyDate: string;
  readonly comuna: string;
  /** For the quality index only; never written to the curated bucket. */
  readonly hasMaternalSurname: boolean;
  readonly hasAddress: boolean;
}

export const rshContract: SourceContract<RshFields, CuratedFields<RshRecord>> = {
  source: 'rsh',
  version: '1.2.0',
  description: 'Registro Social de Hogares: personas menores de 18 años con los datos de su hogar',
  producer: 'Ministerio de Desarrollo Social y Familia',
  columns: {
    RUN: ['RUT', 'RUN_PERSONA', 'RUN_NNA'],
    DV: ['DV_RUN', 'DIGITO_VERIFICADOR'],
    NOMBRES: ['NOMBRE'],
    APELLIDO_PATERNO: ['AP_PATERNO', 'PATERNO'],
    APELLIDO_MATERNO: ['AP_MATERNO', 'MATERNO'],
    FECHA_NACIMIENTO: ['FEC_NAC', 'FECHA_NAC'],
    SEXO: [],
    FOLIO_HOGAR: ['FOLIO', 'ID_HOGAR'],
    TRAMO_RSH: ['TRAMO_CSE', 'TRAMO'],
    N_PERSONAS_HOGAR: ['PERSONAS_HOGAR', 'TOTAL_PERSONAS'],
    N_DORMITORIOS: ['DORMITORIOS'],
    INGRESO_PER_CAPITA: ['INGRESO_PC'],
    ESCOLARIDAD_JEFE: ['ANOS_ESCOLARIDAD_JEFE', 'AÑOS_ESCOLARIDAD_JEFE'],
    JEFATURA_MONOPARENTAL: ['MONOPARENTAL'],
    DISCAPACIDAD_HOGAR: ['DISCAPACIDAD'],
    PUEBLO_ORIGINARIO: ['PERTENENCIA_PUEBLO_ORIGINARIO'],
    NACIONALIDAD: [],
    DIRECCION: ['DOMICILIO'],
    ZONA: ['ZONA_URBANO_RURAL', 'URBANO_RURAL'],
    COMUNA: ['COD_COMUNA', 'CUT_COMUNA', 'COMUNA_CUT'],
    FECHA_ENCUESTA: ['FECHA_APLICACION'],
  },
  required: [
    'RUN',
    'NOMBRES',
    'APELLIDO_PATERNO',
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
    'COMUNA',
    'FECHA_ENCUESTA',
  ],
  validator(columns) {
    const zoneInFile = columns.includes('ZONA');
    return subjectValidator(schema, columns, (run, v) => {
      if (v.FECHA_NACIMIENTO > v.FECHA_ENCUESTA) {
        return new RowRejection('FECHA_NACIMIENTO', 'posterior a la fecha de encuesta');
      }
      const nationality = v.NACIONALIDAD?.toUpperCase();
      return {
        run,
        comuna: v.COMUNA,
        fields: {
          birthDate: v.FECHA_NACIMIENTO,
          sex: v.SEXO,
          householdFolio: v.FOLIO_HOGAR,
          rshBracket: v.TRAMO_RSH,
          householdSize: v.N_PERSONAS_HOGAR,
          bedrooms: v.N_DORMITORIOS,
          incomePerCapita: v.INGRESO_PER_CAPITA,
          headSchoolingYears: v.ESCOLARIDAD_JEFE,
          singleParent: v.JEFATURA_MONOPARENTAL,
          disabilityInHousehold: v.DISCAPACIDAD_HOGAR,
          indigenous: v.PUEBLO_ORIGINARIO,
          migrant: nationality !== undefined && !nationality.startsWith('CHILE'),
          rural: v.ZONA,
          zoneInFile,
          surveyDate: v.FECHA_ENCUESTA,
          comuna: v.COMUNA,
          hasMaternalSurname: v.APELLIDO_MATERNO !== undefined,
          hasAddress: v.DIRECCION !== undefined,
        },
        identity: {
          run,
          givenNames: v.NOMBRES,
          paternalSurname: v.APELLIDO_PATERNO,
          maternalSurname: v.APELLIDO_MATERNO,
          address: v.DIRECCION,
          birthDate: v.FECHA_NACIMIENTO,
          comuna: v.COMUNA,
        },
      };
    });
  },
  duplicateKey: () => '',
  // Every field but the folio (pseudonymised), the comuna (on the record already) and the presence
  // flags, in the order of the fields.
  curate: (f, pseudonymiser) => ({
    birthDate: f.birthDate,
    sex: f.sex,
    rshBracket: f.rshBracket,
    householdSize: f.householdSize,
    bedrooms: f.bedrooms,
    incomePerCapita: f.incomePerCapita,
    headSchoolingYears: f.headSchoolingYears,
    singleParent: f.singleParent,
    disabilityInHousehold: f.disabilityInHousehold,
    indigenous: f.indigenous,
    migrant: f.migrant,
    // Left out of the record when unknown (JSON drops an undefined property).
    rural: f.rural,
    surveyDate: f.surveyDate,
    householdId: pseudonymiser.household(f.householdFolio),
  }),
  quality: {
    institution: (f) => `Municipalidad ${f.comuna}`,
    institutionOfRaw: (v) => {
      const cut = normaliseCut(v.COMUNA ?? '');
      return cut ? `Municipalidad ${cut}` : undefined;
    },
    completeness: [
      {
        item: 'apellido_materno',
        label: 'Apellido materno (no exigido a personas migrantes)',
        applies: (f) => !f.migrant,
        present: (f) => f.hasMaternalSurname,
      },
      { item: 'direccion', label: 'Dirección del hogar', applies: () => true, present: (f) => f.hasAddress },
      {
        item: 'zona',
        label: 'Zona urbana o rural (vacía o no reconocida; solo en extractos con la columna ZONA)',
        applies: (f) => f.zoneInFile,
        present: (f) => f.rural !== undefined,
      },
    ],
    timeliness: [],
  },
};

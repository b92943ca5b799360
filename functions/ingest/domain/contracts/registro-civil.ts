/** Civil registry: births, deaths and filiation (mother's and father's RUN), pseudonymised. */
import type { Run } from '../../../shared/domain/run';
import {
  anyComunaCut,
  isoDate,
  optionalDate,
  optionalRunReader,
  RowRejection,
  rowParser,
  rowSchema,
  runReader,
  sex,
} from './fields';
import type { SourceContract } from './types';

const schema = rowSchema({
  FECHA_NACIMIENTO: isoDate,
  SEXO: sex,
  FECHA_INSCRIPCION: optionalDate,
  FECHA_DEFUNCION: optionalDate,
  COMUNA_INSCRIPCION: anyComunaCut,
});

export interface CivilRegistryFields {
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly registeredDate?: string;
  readonly deathDate?: string;
  readonly mother?: Run;
  readonly father?: Run;
}

export const civilRegistryContract: SourceContract<CivilRegistryFields> = {
  source: 'registro_civil',
  version: '1.0.0',
  description: 'Registro Civil: nacimientos, defunciones y filiación de personas menores de 18 años',
  producer: 'Servicio de Registro Civil e Identificación',
  columns: {
    RUN: ['RUN_INSCRITO', 'RUN_NNA'],
    DV: ['DV_INSCRITO', 'DV_NNA'],
    FECHA_NACIMIENTO: ['FEC_NAC'],
    SEXO: [],
    FECHA_INSCRIPCION: ['FEC_INSCRIPCION'],
    FECHA_DEFUNCION: ['FEC_DEFUNCION'],
    RUN_MADRE: ['RUT_MADRE'],
    DV_MADRE: [],
    RUN_PADRE: ['RUT_PADRE'],
    DV_PADRE: [],
    COMUNA_INSCRIPCION: ['COMUNA', 'COD_COMUNA'],
  },
  required: ['RUN', 'FECHA_NACIMIENTO', 'SEXO', 'RUN_MADRE', 'RUN_PADRE'],
  validator(columns) {
    const runOf = runReader(columns, 'RUN', 'DV');
    const motherOf = optionalRunReader(columns, 'RUN_MADRE', 'DV_MADRE');
    const fatherOf = optionalRunReader(columns, 'RUN_PADRE', 'DV_PADRE');
    const parse = rowParser(schema, columns);
    return (row) => {
      const run = runOf(row);
      if (run instanceof RowRejection) return { ok: false, error: run };
      const mother = motherOf(row);
      if (mother instanceof RowRejection) return { ok: false, error: mother };
      const father = fatherOf(row);
      if (father instanceof RowRejection) return { ok: false, error: father };
      const v = parse(row);
      if (v instanceof RowRejection) return { ok: false, error: v };
      if (v.FECHA_DEFUNCION && v.FECHA_DEFUNCION < v.FECHA_NACIMIENTO) {
        return {
          ok: false,
          error: { field: 'FECHA_DEFUNCION', reason: 'anterior a la fecha de nacimiento' },
        };
      }
      const comuna = v.COMUNA_INSCRIPCION ?? '00000';
      return {
        ok: true,
        row: {
          run,
          comuna,
          fields: {
            birthDate: v.FECHA_NACIMIENTO,
            sex: v.SEXO,
            ...(v.FECHA_INSCRIPCION ? { registeredDate: v.FECHA_INSCRIPCION } : {}),
            ...(v.FECHA_DEFUNCION ? { deathDate: v.FECHA_DEFUNCION } : {}),
            ...(mother ? { mother } : {}),
            ...(father ? { father } : {}),
          },
          identity: { run, comuna },
        },
      };
    };
  },
  duplicateKey: () => '',
  curate: ({ mother, father, ...rest }, pseudonymiser) => ({
    ...rest,
    ...(mother ? { motherId: pseudonymiser.child(mother) } : {}),
    ...(father ? { fatherId: pseudonymiser.child(father) } : {}),
  }),
  quality: {
    institution: () => 'Servicio de Registro Civil e Identificación',
    institutionOfRaw: () => 'Servicio de Registro Civil e Identificación',
    completeness: [
      {
        item: 'run_madre',
        label: 'RUN de la madre',
        applies: () => true,
        present: (f) => f.mother !== undefined,
      },
    ],
    timeliness: [],
  },
};

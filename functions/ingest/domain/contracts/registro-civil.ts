/** Civil registry: births, deaths and filiation (mother's and father's RUN), pseudonymised. */
import type { CivilRecord, CuratedFields } from '../../../shared/domain/curated-records';
import type { Run } from '../../../shared/domain/run';
import {
  anyComunaCut,
  isoDate,
  optionalDate,
  RowRejection,
  rowSchema,
  sex,
  subjectValidator,
} from './fields';
import type { SourceContract } from './types';

const schema = rowSchema({
  FECHA_NACIMIENTO: isoDate,
  SEXO: sex,
  FECHA_INSCRIPCION: optionalDate,
  FECHA_DEFUNCION: optionalDate,
  COMUNA_INSCRIPCION: anyComunaCut,
});

/** The parents' RUN columns, each with its check digit, read (in this order) before the schema's. */
const parents = { RUN_MADRE: 'DV_MADRE', RUN_PADRE: 'DV_PADRE' };

export interface CivilRegistryFields {
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly registeredDate?: string;
  readonly deathDate?: string;
  readonly mother?: Run;
  readonly father?: Run;
}

export const civilRegistryContract: SourceContract<CivilRegistryFields, CuratedFields<CivilRecord>> = {
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
    return subjectValidator(schema, columns, parents, (run, v, parent) => {
      if (v.FECHA_DEFUNCION && v.FECHA_DEFUNCION < v.FECHA_NACIMIENTO) {
        return new RowRejection('FECHA_DEFUNCION', 'anterior a la fecha de nacimiento');
      }
      const comuna = v.COMUNA_INSCRIPCION ?? '00000';
      const mother = parent.RUN_MADRE;
      const father = parent.RUN_PADRE;
      return {
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
      };
    });
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

/**
 * Prison service: adults deprived of liberty. The subject is the adult; children are linked to them
 * through the civil registry's filiation (both sides pseudonymised with the same key).
 */
import type { CuratedFields, CustodyRecord } from '../../../shared/domain/curated-records';
import {
  anyComunaCut,
  code,
  isoDate,
  optionalDate,
  RowRejection,
  requiredText,
  rowSchema,
  subjectValidator,
} from './fields';
import type { SourceContract } from './types';

export const REGIMES = ['CERRADO', 'SEMIABIERTO', 'ABIERTO'] as const;

const schema = rowSchema({
  FECHA_INGRESO: isoDate,
  FECHA_EGRESO: optionalDate,
  REGIMEN: code(REGIMES, 'régimen'),
  UNIDAD_PENAL: requiredText(80),
  COMUNA_RESIDENCIA: anyComunaCut,
});

export interface CustodyFields {
  readonly admissionDate: string;
  readonly releaseDate?: string;
  readonly regime: (typeof REGIMES)[number];
  readonly unit: string;
}

export const custodyContract: SourceContract<CustodyFields, CuratedFields<CustodyRecord>> = {
  source: 'privacion_libertad',
  version: '1.0.0',
  description: 'Gendarmería: personas adultas privadas de libertad, con ingreso y egreso',
  producer: 'Gendarmería de Chile',
  columns: {
    RUN: ['RUN_INTERNO', 'RUT_INTERNO'],
    DV: ['DV_INTERNO'],
    FECHA_INGRESO: ['FEC_INGRESO'],
    FECHA_EGRESO: ['FEC_EGRESO'],
    REGIMEN: ['SUBSISTEMA'],
    UNIDAD_PENAL: ['ESTABLECIMIENTO_PENAL', 'UNIDAD'],
    COMUNA_RESIDENCIA: ['COMUNA', 'COD_COMUNA'],
  },
  required: ['RUN', 'FECHA_INGRESO', 'REGIMEN', 'UNIDAD_PENAL'],
  validator(columns) {
    return subjectValidator(schema, columns, (run, v) => {
      if (v.FECHA_EGRESO && v.FECHA_EGRESO < v.FECHA_INGRESO) {
        return new RowRejection('FECHA_EGRESO', 'anterior a la fecha de ingreso');
      }
      const comuna = v.COMUNA_RESIDENCIA ?? '00000';
      return {
        run,
        comuna,
        fields: {
          admissionDate: v.FECHA_INGRESO,
          ...(v.FECHA_EGRESO ? { releaseDate: v.FECHA_EGRESO } : {}),
          regime: v.REGIMEN,
          unit: v.UNIDAD_PENAL,
        },
        identity: { run, comuna },
      };
    });
  },
  duplicateKey: (row) => row.fields.admissionDate,
  curate: (fields) => ({ ...fields }),
  quality: {
    institution: (f) => f.unit,
    // Unit names are free text: a rejected row's is not trusted, so it is counted as unidentified.
    institutionOfRaw: () => undefined,
    completeness: [],
    timeliness: [],
  },
};

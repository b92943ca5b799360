/** Education: monthly enrolment and attendance per student, with repetition and withdrawal. */
import type { CuratedFields, EducationRecord } from '../../../shared/domain/curated-records';
import {
  comunaCut,
  decimal,
  flag,
  integer,
  month,
  optionalText,
  rowSchema,
  subjectValidator,
} from './fields';
import type { SourceContract } from './types';

const schema = rowSchema({
  RBD: integer(1, 99_999_999),
  COMUNA: comunaCut,
  GRADO: optionalText(20),
  MES: month,
  ASISTENCIA: decimal(0, 100),
  REPITENTE: flag,
  RETIRADO: flag,
});

export interface EducationFields {
  readonly schoolId: number;
  readonly grade?: string;
  readonly month: string;
  readonly attendancePct: number;
  readonly repeating: boolean;
  readonly withdrawn: boolean;
}

export const educationContract: SourceContract<EducationFields, CuratedFields<EducationRecord>> = {
  source: 'educacion',
  version: '1.1.0',
  description: 'Matrícula y asistencia escolar mensual por estudiante',
  producer: 'Ministerio de Educación',
  columns: {
    RUN: ['RUN_ALUMNO', 'MRUN_ALUMNO'],
    DV: ['DV_ALUMNO', 'DGV_ALUMNO'],
    RBD: ['COD_ESTABLECIMIENTO'],
    COMUNA: ['COD_COMUNA', 'COD_COM_ALU', 'CUT_COMUNA'],
    GRADO: ['COD_GRADO', 'CURSO'],
    MES: ['PERIODO'],
    ASISTENCIA: ['PORC_ASISTENCIA', 'ASISTENCIA_MES'],
    REPITENTE: ['SIT_REPITENTE'],
    RETIRADO: ['SIT_RETIRADO'],
  },
  required: ['RUN', 'RBD', 'COMUNA', 'MES', 'ASISTENCIA', 'REPITENTE', 'RETIRADO'],
  validator(columns) {
    return subjectValidator(schema, columns, (run, v) => ({
      run,
      comuna: v.COMUNA,
      fields: {
        schoolId: v.RBD,
        ...(v.GRADO ? { grade: v.GRADO } : {}),
        month: v.MES,
        attendancePct: v.ASISTENCIA,
        repeating: v.REPITENTE,
        withdrawn: v.RETIRADO,
      },
      identity: { run, comuna: v.COMUNA },
    }));
  },
  duplicateKey: (row) => `${row.fields.month}|${row.fields.schoolId}`,
  curate: (fields) => ({ ...fields }),
  quality: {
    institution: (f) => `RBD ${f.schoolId}`,
    institutionOfRaw: (v) => (/^\d+$/.test(v.RBD?.trim() ?? '') ? `RBD ${Number(v.RBD)}` : undefined),
    completeness: [
      { item: 'grado', label: 'Curso o grado', applies: () => true, present: (f) => f.grade !== undefined },
    ],
    timeliness: [],
  },
};

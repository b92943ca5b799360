/** Health: child check-ups, adolescent pregnancy, mental-health and drug treatment attentions. */
import type { CuratedFields, HealthRecord } from '../../../shared/domain/curated-records';
import { HEALTH_ATTENTIONS } from '../../../shared/domain/curated-records';
import {
  code,
  comunaCut,
  INSTITUTION_CODE,
  institutionFromCode,
  isoDate,
  optionalDate,
  optionalText,
  RowRejection,
  refine,
  requiredText,
  rowSchema,
  subjectValidator,
} from './fields';
import type { SourceContract } from './types';

const schema = rowSchema({
  COMUNA: comunaCut,
  FECHA_ATENCION: isoDate,
  FECHA_REGISTRO: optionalDate,
  TIPO_ATENCION: code(HEALTH_ATTENTIONS, 'tipo de atención'),
  ESTABLECIMIENTO: refine(
    requiredText(20),
    (v) => INSTITUTION_CODE.test(v),
    'código de establecimiento inválido',
  ),
  DIAGNOSTICO: optionalText(10),
});

export interface HealthFields {
  readonly attentionDate: string;
  readonly registeredDate?: string;
  readonly attention: (typeof HEALTH_ATTENTIONS)[number];
  readonly facility: string;
  readonly diagnosis?: string;
}

export const healthContract: SourceContract<HealthFields, CuratedFields<HealthRecord>> = {
  source: 'salud',
  version: '1.0.0',
  description:
    'Atenciones de salud de niños, niñas y adolescentes (controles, embarazo, salud mental, drogas)',
  producer: 'Ministerio de Salud',
  columns: {
    RUN: ['RUN_PACIENTE', 'RUT_PACIENTE'],
    DV: ['DV_PACIENTE'],
    COMUNA: ['COMUNA_RESIDENCIA', 'COD_COMUNA'],
    FECHA_ATENCION: ['FEC_ATENCION'],
    FECHA_REGISTRO: ['FEC_REGISTRO', 'FECHA_DIGITACION'],
    TIPO_ATENCION: ['PRESTACION', 'TIPO'],
    ESTABLECIMIENTO: ['COD_ESTABLECIMIENTO', 'ESTABLECIMIENTO_DEIS'],
    DIAGNOSTICO: ['CIE10', 'DIAGNOSTICO_CIE10'],
  },
  required: ['RUN', 'COMUNA', 'FECHA_ATENCION', 'TIPO_ATENCION', 'ESTABLECIMIENTO'],
  validator(columns) {
    return subjectValidator(schema, columns, (run, v) => {
      if (v.FECHA_REGISTRO && v.FECHA_REGISTRO < v.FECHA_ATENCION) {
        return new RowRejection('FECHA_REGISTRO', 'anterior a la fecha de atención');
      }
      return {
        run,
        comuna: v.COMUNA,
        fields: {
          attentionDate: v.FECHA_ATENCION,
          ...(v.FECHA_REGISTRO ? { registeredDate: v.FECHA_REGISTRO } : {}),
          attention: v.TIPO_ATENCION,
          facility: v.ESTABLECIMIENTO,
          ...(v.DIAGNOSTICO ? { diagnosis: v.DIAGNOSTICO } : {}),
        },
        identity: { run, comuna: v.COMUNA },
      };
    });
  },
  duplicateKey: (row) => `${row.fields.attentionDate}|${row.fields.attention}|${row.fields.facility}`,
  curate: (fields) => ({ ...fields }),
  quality: {
    institution: (f) => `Establecimiento ${f.facility}`,
    institutionOfRaw: (v) => institutionFromCode('Establecimiento', v.ESTABLECIMIENTO),
    completeness: [
      {
        item: 'diagnostico',
        label: 'Diagnóstico CIE-10 de atenciones de salud mental y drogas',
        applies: (f) => f.attention === 'SALUD_MENTAL' || f.attention === 'TRATAMIENTO_DROGAS',
        present: (f) => f.diagnosis !== undefined,
      },
    ],
    timeliness: [
      {
        item: 'registro_atencion',
        label: 'Atención registrada dentro de 3 días hábiles',
        businessDays: 3,
        event: (f) => f.attentionDate,
        registered: (f) => f.registeredDate,
      },
    ],
  },
};

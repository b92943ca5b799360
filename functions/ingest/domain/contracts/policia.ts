/** Police 24-hour program (PSI 24 Horas): contacts of children as victims or as offenders. */
import type { CuratedFields, PoliceRecord } from '../../../shared/domain/curated-records';
import { code, comunaCut, isoDate, optionalDate, requiredText, rowSchema, subjectValidator } from './fields';
import type { SourceContract } from './types';

export const POLICE_ROLES = ['VICTIMA', 'INFRACTOR'] as const;
export const POLICE_EVENTS = [
  'VIOLENCIA_INTRAFAMILIAR',
  'LESIONES',
  'ABUSO_SEXUAL',
  'DROGAS',
  'ROBO_HURTO',
  'DESORDENES',
  'VULNERACION_DERECHOS',
  'OTRO',
] as const;

const schema = rowSchema({
  COMUNA: comunaCut,
  FECHA_PROCEDIMIENTO: isoDate,
  FECHA_REGISTRO: optionalDate,
  CALIDAD: code(POLICE_ROLES, 'calidad'),
  TIPO: code(POLICE_EVENTS, 'tipo de procedimiento'),
  UNIDAD: requiredText(60),
});

export interface PoliceFields {
  readonly eventDate: string;
  readonly registeredDate?: string;
  readonly role: (typeof POLICE_ROLES)[number];
  readonly event: (typeof POLICE_EVENTS)[number];
  readonly unit: string;
}

export const policeContract: SourceContract<PoliceFields, CuratedFields<PoliceRecord>> = {
  source: 'policia',
  version: '1.0.0',
  description: 'Programa 24 Horas: procedimientos policiales con niños, niñas o adolescentes',
  producer: 'Subsecretaría de Prevención del Delito',
  columns: {
    RUN: ['RUN_NNA', 'RUT_NNA'],
    DV: ['DV_NNA'],
    COMUNA: ['COMUNA_PROCEDIMIENTO', 'COD_COMUNA'],
    FECHA_PROCEDIMIENTO: ['FECHA_HECHO', 'FECHA'],
    FECHA_REGISTRO: ['FECHA_INGRESO_SISTEMA'],
    CALIDAD: ['CONDICION', 'CALIDAD_NNA'],
    TIPO: ['TIPO_PROCEDIMIENTO', 'MOTIVO'],
    UNIDAD: ['UNIDAD_POLICIAL', 'COMISARIA'],
  },
  required: ['RUN', 'COMUNA', 'FECHA_PROCEDIMIENTO', 'CALIDAD', 'TIPO', 'UNIDAD'],
  validator(columns) {
    return subjectValidator(schema, columns, (run, v) => ({
      run,
      comuna: v.COMUNA,
      fields: {
        eventDate: v.FECHA_PROCEDIMIENTO,
        ...(v.FECHA_REGISTRO ? { registeredDate: v.FECHA_REGISTRO } : {}),
        role: v.CALIDAD,
        event: v.TIPO,
        unit: v.UNIDAD,
      },
      identity: { run, comuna: v.COMUNA },
    }));
  },
  duplicateKey: (row) => `${row.fields.eventDate}|${row.fields.role}|${row.fields.event}`,
  curate: (fields) => ({ ...fields }),
  quality: {
    institution: (f) => f.unit,
    // Unit names are free text: a rejected row's is not trusted, so it is counted as unidentified.
    institutionOfRaw: () => undefined,
    completeness: [],
    timeliness: [
      {
        item: 'registro_procedimiento',
        label: 'Procedimiento registrado dentro de 3 días hábiles',
        businessDays: 3,
        event: (f) => f.eventDate,
        registered: (f) => f.registeredDate,
      },
    ],
  },
};

/**
 * Child-protection programs (SENAINFO-style): entries and exits with cause, program model, dates of
 * diagnosis and individual plan, the registration date of each event, the people around the child,
 * and monthly visits for residential and foster care. The ICI items apply here.
 */
import type { CuratedFields, ProtectionRecord } from '../../../shared/domain/curated-records';
import { ageInYears } from '../../../shared/domain/dates';
import type { FieldParser } from './fields';
import {
  code,
  comunaCut,
  INSTITUTION_CODE,
  Invalid,
  institutionFromCode,
  isoDate,
  optionalDate,
  optionalText,
  RowRejection,
  refine,
  registeredWithinThreeDays,
  requiredText,
  rowSchema,
  sex,
  subjectValidator,
} from './fields';
import type { SourceContract } from './types';

export const PROGRAM_MODELS = ['OPD', 'PPF', 'PIE', 'PRM', 'DAM', 'PEE', 'FAE', 'RES'] as const;
export type ProgramModel = (typeof PROGRAM_MODELS)[number];

export const ENTRY_CAUSES = [
  'MALTRATO_FISICO',
  'MALTRATO_PSICOLOGICO',
  'NEGLIGENCIA',
  'ABUSO_SEXUAL',
  'TESTIGO_VIF',
  'CONSUMO_DROGAS',
  'INFRACCION_LEY',
  'SITUACION_CALLE',
  'ABANDONO',
  'SUSCEPTIBLE_ADOPCION',
  'OTRO',
] as const;

/** Days after entry within which the diagnosis must be registered, by program model (ICI item 4). */
export const DIAGNOSIS_DEADLINE_DAYS: Readonly<Record<ProgramModel, number>> = {
  OPD: 30,
  DAM: 30,
  PRM: 45,
  PEE: 45,
  PIE: 60,
  PPF: 60,
  FAE: 90,
  RES: 90,
};

/** Causes and models for which the family's data is not required (ICI item 2 exclusions). */
const FAMILY_DATA_EXCLUDED_CAUSES = new Set(['SITUACION_CALLE', 'ABANDONO', 'SUSCEPTIBLE_ADOPCION']);
const FAMILY_DATA_EXCLUDED_MODELS = new Set<ProgramModel>(['DAM']);
const SHORT_STAY_DAYS = 15;

/** Monthly visits: REGISTRADAS, SIN_VISITAS (spaces read as `_`), or nothing. */
const visits: FieldParser<'REGISTRADAS' | 'SIN_VISITAS' | undefined> = (raw) => {
  const v = raw.trim().toUpperCase().replace(/\s+/g, '_');
  if (v === '') return undefined;
  if (v === 'REGISTRADAS' || v === 'SIN_VISITAS') return v;
  return new Invalid('visitas: se espera REGISTRADAS o SIN_VISITAS');
};

const schema = rowSchema({
  NOMBRES: optionalText(80),
  APELLIDO_PATERNO: optionalText(60),
  APELLIDO_MATERNO: optionalText(60),
  SEXO: sex,
  FECHA_NACIMIENTO: isoDate,
  NACIONALIDAD: optionalText(40),
  COMUNA: comunaCut,
  CODIGO_PROYECTO: refine(requiredText(20), (v) => INSTITUTION_CODE.test(v), 'código de proyecto inválido'),
  MODELO: code(PROGRAM_MODELS, 'modelo de programa'),
  CAUSAL_INGRESO: code(ENTRY_CAUSES, 'causal de ingreso'),
  FECHA_INGRESO: isoDate,
  FECHA_REGISTRO_INGRESO: optionalDate,
  FECHA_EGRESO: optionalDate,
  FECHA_REGISTRO_EGRESO: optionalDate,
  FECHA_DIAGNOSTICO: optionalDate,
  FECHA_REGISTRO_DIAGNOSTICO: optionalDate,
  FECHA_PII: optionalDate,
  FECHA_REGISTRO_PII: optionalDate,
  CONTACTO_NOMBRE: optionalText(120),
  CONTACTO_RELACION: optionalText(40),
  NOMBRE_MADRE: optionalText(120),
  NOMBRE_PADRE: optionalText(120),
  NOMBRE_ADULTO_RESPONSABLE: optionalText(120),
  VISITAS_MES: visits,
});

/**
 * The RUN columns of the people around the child (no check-digit columns), read in this order
 * before the schema's; a RUN counts toward the family data only with its name.
 */
const relatives = { RUN_MADRE: null, RUN_PADRE: null, RUN_ADULTO_RESPONSABLE: null };

export interface ProtectionFields {
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly migrant: boolean;
  readonly project: string;
  readonly model: ProgramModel;
  readonly cause: (typeof ENTRY_CAUSES)[number];
  readonly entryDate: string;
  readonly entryRegistered?: string;
  readonly exitDate?: string;
  readonly exitRegistered?: string;
  readonly diagnosisDate?: string;
  readonly diagnosisRegistered?: string;
  readonly planDate?: string;
  readonly planRegistered?: string;
  readonly visits?: 'REGISTRADAS' | 'SIN_VISITAS';
  /** Presence of personal data, for the quality index only; never written to the curated bucket. */
  readonly present: {
    readonly names: boolean;
    readonly maternalSurname: boolean;
    readonly contact: boolean;
    readonly mother: boolean;
    readonly father: boolean;
    readonly responsibleAdult: boolean;
  };
}

function familyDataRequired(f: ProtectionFields, asOf: string): boolean {
  if (FAMILY_DATA_EXCLUDED_CAUSES.has(f.cause) || FAMILY_DATA_EXCLUDED_MODELS.has(f.model)) return false;
  if (ageInYears(f.birthDate, f.entryDate) >= 18) return false;
  const end = f.exitDate ?? asOf;
  return Date.parse(end) - Date.parse(f.entryDate) >= SHORT_STAY_DAYS * 86_400_000;
}

export const protectionContract: SourceContract<ProtectionFields, CuratedFields<ProtectionRecord>> = {
  source: 'proteccion',
  version: '1.0.0',
  description: 'Programas de protección especializada: ingresos, egresos, diagnósticos, planes y visitas',
  producer: 'Servicio Nacional de Protección Especializada a la Niñez y Adolescencia',
  columns: {
    RUN: ['RUN_NNA', 'RUT_NNA'],
    DV: ['DV_NNA'],
    NOMBRES: ['NOMBRE'],
    APELLIDO_PATERNO: ['AP_PATERNO'],
    APELLIDO_MATERNO: ['AP_MATERNO'],
    SEXO: [],
    FECHA_NACIMIENTO: ['FEC_NAC'],
    NACIONALIDAD: [],
    COMUNA: ['COD_COMUNA', 'COMUNA_NNA'],
    CODIGO_PROYECTO: ['COD_PROYECTO', 'PROYECTO'],
    MODELO: ['MODELO_INTERVENCION', 'LINEA_PROGRAMATICA'],
    CAUSAL_INGRESO: ['CAUSAL', 'MOTIVO_INGRESO'],
    FECHA_INGRESO: ['FEC_INGRESO'],
    FECHA_REGISTRO_INGRESO: ['FEC_REGISTRO_INGRESO'],
    FECHA_EGRESO: ['FEC_EGRESO'],
    FECHA_REGISTRO_EGRESO: ['FEC_REGISTRO_EGRESO'],
    FECHA_DIAGNOSTICO: ['FEC_DIAGNOSTICO'],
    FECHA_REGISTRO_DIAGNOSTICO: ['FEC_REGISTRO_DIAGNOSTICO'],
    FECHA_PII: ['FEC_PII', 'FECHA_PLAN'],
    FECHA_REGISTRO_PII: ['FEC_REGISTRO_PII'],
    CONTACTO_NOMBRE: ['PERSONA_CONTACTO'],
    CONTACTO_RELACION: ['RELACION_CONTACTO'],
    RUN_MADRE: ['RUT_MADRE'],
    NOMBRE_MADRE: [],
    RUN_PADRE: ['RUT_PADRE'],
    NOMBRE_PADRE: [],
    RUN_ADULTO_RESPONSABLE: ['RUT_ADULTO_RESPONSABLE'],
    NOMBRE_ADULTO_RESPONSABLE: [],
    VISITAS_MES: ['VISITAS'],
  },
  required: [
    'RUN',
    'SEXO',
    'FECHA_NACIMIENTO',
    'COMUNA',
    'CODIGO_PROYECTO',
    'MODELO',
    'CAUSAL_INGRESO',
    'FECHA_INGRESO',
  ],
  validator(columns) {
    return subjectValidator(schema, columns, relatives, (run, v, relative) => {
      if (v.FECHA_EGRESO && v.FECHA_EGRESO < v.FECHA_INGRESO) {
        return new RowRejection('FECHA_EGRESO', 'anterior a la fecha de ingreso');
      }
      if (v.FECHA_INGRESO < v.FECHA_NACIMIENTO) {
        return new RowRejection('FECHA_INGRESO', 'anterior a la fecha de nacimiento');
      }
      const nationality = v.NACIONALIDAD?.toUpperCase();
      return {
        run,
        comuna: v.COMUNA,
        fields: {
          birthDate: v.FECHA_NACIMIENTO,
          sex: v.SEXO,
          migrant: nationality !== undefined && !nationality.startsWith('CHILE'),
          project: v.CODIGO_PROYECTO,
          model: v.MODELO,
          cause: v.CAUSAL_INGRESO,
          entryDate: v.FECHA_INGRESO,
          ...(v.FECHA_REGISTRO_INGRESO ? { entryRegistered: v.FECHA_REGISTRO_INGRESO } : {}),
          ...(v.FECHA_EGRESO ? { exitDate: v.FECHA_EGRESO } : {}),
          ...(v.FECHA_REGISTRO_EGRESO ? { exitRegistered: v.FECHA_REGISTRO_EGRESO } : {}),
          ...(v.FECHA_DIAGNOSTICO ? { diagnosisDate: v.FECHA_DIAGNOSTICO } : {}),
          ...(v.FECHA_REGISTRO_DIAGNOSTICO ? { diagnosisRegistered: v.FECHA_REGISTRO_DIAGNOSTICO } : {}),
          ...(v.FECHA_PII ? { planDate: v.FECHA_PII } : {}),
          ...(v.FECHA_REGISTRO_PII ? { planRegistered: v.FECHA_REGISTRO_PII } : {}),
          ...(v.VISITAS_MES ? { visits: v.VISITAS_MES } : {}),
          present: {
            names: v.NOMBRES !== undefined && v.APELLIDO_PATERNO !== undefined,
            maternalSurname: v.APELLIDO_MATERNO !== undefined,
            contact: v.CONTACTO_NOMBRE !== undefined && v.CONTACTO_RELACION !== undefined,
            mother: relative.RUN_MADRE !== undefined && v.NOMBRE_MADRE !== undefined,
            father: relative.RUN_PADRE !== undefined && v.NOMBRE_PADRE !== undefined,
            responsibleAdult:
              relative.RUN_ADULTO_RESPONSABLE !== undefined && v.NOMBRE_ADULTO_RESPONSABLE !== undefined,
          },
        },
        identity: {
          run,
          ...(v.NOMBRES ? { givenNames: v.NOMBRES } : {}),
          ...(v.APELLIDO_PATERNO ? { paternalSurname: v.APELLIDO_PATERNO } : {}),
          ...(v.APELLIDO_MATERNO ? { maternalSurname: v.APELLIDO_MATERNO } : {}),
          birthDate: v.FECHA_NACIMIENTO,
          comuna: v.COMUNA,
        },
      };
    });
  },
  duplicateKey: (row) => `${row.fields.project}|${row.fields.entryDate}`,
  curate: ({ present: _present, ...rest }) => ({ ...rest }),
  quality: {
    institution: (f) => `Proyecto ${f.project}`,
    institutionOfRaw: (v) => institutionFromCode('Proyecto', v.CODIGO_PROYECTO),
    completeness: [
      {
        item: 'nombres',
        label: 'Nombres y apellido paterno del NNA',
        applies: () => true,
        present: (f) => f.present.names,
      },
      {
        item: 'apellido_materno',
        label: 'Apellido materno (no exigido a personas migrantes)',
        applies: (f) => !f.migrant,
        present: (f) => f.present.maternalSurname,
      },
      {
        item: 'persona_contacto',
        label: 'Persona de contacto (nombre y relación)',
        applies: () => true,
        present: (f) => f.present.contact,
      },
      {
        item: 'madre',
        label: 'RUN y nombre de la madre (salvo exclusiones)',
        applies: familyDataRequired,
        present: (f) => f.present.mother,
      },
      {
        item: 'padre',
        label: 'RUN y nombre del padre (salvo exclusiones)',
        applies: familyDataRequired,
        present: (f) => f.present.father,
      },
      {
        item: 'adulto_responsable',
        label: 'RUN y nombre del adulto responsable (salvo exclusiones)',
        applies: familyDataRequired,
        present: (f) => f.present.responsibleAdult,
      },
      {
        item: 'diagnostico_en_plazo',
        label: 'Diagnóstico registrado en el plazo del modelo (NNA atendidos más de 15 días)',
        applies: (f, asOf) => {
          const end = f.exitDate && f.exitDate < asOf ? f.exitDate : asOf;
          const served = (Date.parse(end) - Date.parse(f.entryDate)) / 86_400_000;
          return served > SHORT_STAY_DAYS && served > DIAGNOSIS_DEADLINE_DAYS[f.model];
        },
        present: (f) =>
          f.diagnosisDate !== undefined &&
          (Date.parse(f.diagnosisDate) - Date.parse(f.entryDate)) / 86_400_000 <=
            DIAGNOSIS_DEADLINE_DAYS[f.model],
      },
      {
        item: 'visitas_mes',
        label: 'Visitas del mes registradas en residencias y familias de acogida ("sin visitas" explícito)',
        applies: (f) => (f.model === 'RES' || f.model === 'FAE') && f.exitDate === undefined,
        present: (f) => f.visits !== undefined,
      },
    ],
    timeliness: [
      registeredWithinThreeDays<ProtectionFields>(
        'registro_ingreso',
        'Ingreso registrado dentro de 3 días hábiles',
        (f) => f.entryDate,
        (f) => f.entryRegistered,
      ),
      registeredWithinThreeDays<ProtectionFields>(
        'registro_egreso',
        'Egreso registrado dentro de 3 días hábiles',
        (f) => f.exitDate,
        (f) => f.exitRegistered,
      ),
      registeredWithinThreeDays<ProtectionFields>(
        'registro_diagnostico',
        'Diagnóstico registrado dentro de 3 días hábiles',
        (f) => f.diagnosisDate,
        (f) => f.diagnosisRegistered,
      ),
      registeredWithinThreeDays<ProtectionFields>(
        'registro_pii',
        'Plan de intervención individual registrado dentro de 3 días hábiles',
        (f) => f.planDate,
        (f) => f.planRegistered,
      ),
    ],
  },
};

/**
 * Source contracts: for each administrative source, the columns it must carry (with the header
 * aliases institutions really use), how each row is validated and normalised, which part of it is
 * personal data (kept apart, in the identity store), and what makes two rows duplicates.
 */
import { z } from 'zod';
import { isPilotComuna, normaliseCut } from '../../shared/domain/comunas';
import { parseDate } from '../../shared/domain/dates';
import type { Pseudonymiser } from '../../shared/domain/pseudonym';
import type { Run } from '../../shared/domain/run';
import { parseRun } from '../../shared/domain/run';

export type SourceId = 'rsh' | 'educacion';

/** Personal data separated from a row before anything is written to the curated bucket. */
export interface IdentityFields {
  readonly run: Run;
  readonly givenNames?: string;
  readonly paternalSurname?: string;
  readonly maternalSurname?: string;
  readonly address?: string;
  readonly comuna: string;
}

/** A validated row, before pseudonymisation: the child's RUN, its comuna and its non-personal fields. */
export interface ValidatedRow<R> {
  readonly run: Run;
  readonly comuna: string;
  readonly fields: R;
  readonly identity: IdentityFields;
}

export interface RowError {
  readonly field: string;
  readonly reason: string;
}

export interface SourceContract<R> {
  readonly source: SourceId;
  readonly version: string;
  readonly description: string;
  /** Canonical column name -> accepted header spellings (compared case- and accent-insensitively). */
  readonly columns: Readonly<Record<string, readonly string[]>>;
  readonly required: readonly string[];
  validate(
    row: Readonly<Record<string, string>>,
  ): { ok: true; row: ValidatedRow<R> } | { ok: false; error: RowError };
  /**
   * Part of the duplicate key besides the child: two rows of the same child with equal parts are
   * duplicates; the first one is kept.
   */
  duplicateKey(row: ValidatedRow<R>): string;
  /** The non-personal fields written to the curated bucket, with other identifiers pseudonymised. */
  curate(fields: R, pseudonymiser: Pseudonymiser): Record<string, unknown>;
}

// --- field parsers -------------------------------------------------------------------------

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `más de ${max} caracteres`)
    .transform((v) => v.replace(/\s+/g, ' '));
const requiredText = (max: number) => text(max).refine((v) => v.length > 0, 'vacío');
const optionalText = (max: number) => text(max).transform((v) => (v === '' ? undefined : v));

const isoDate = z.string().transform((v, ctx) => {
  const parsed = parseDate(v);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `fecha inválida "${v}" (se espera dd-mm-aaaa o aaaa-mm-dd)` });
    return z.NEVER;
  }
  return parsed;
});

/** Integers and decimals, accepting a decimal comma and thousands dots (`1.234,5`). */
const decimal = (min: number, max: number) =>
  z.string().transform((v, ctx) => {
    const t = v.trim();
    const normal = /^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(t)
      ? t.replace(/\./g, '').replace(',', '.')
      : t.replace(',', '.');
    const n = Number(normal);
    if (t === '' || !Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `número inválido "${v}"` });
      return z.NEVER;
    }
    if (n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `fuera de rango [${min}, ${max}]: ${n}` });
      return z.NEVER;
    }
    return n;
  });
const integer = (min: number, max: number) =>
  decimal(min, max).refine((n) => Number.isInteger(n), 'se espera un entero');

const flag = z.string().transform((v, ctx) => {
  const t = v.trim().toUpperCase();
  if (['1', 'S', 'SI', 'SÍ', 'TRUE', 'X'].includes(t)) return true;
  if (['0', 'N', 'NO', 'FALSE', ''].includes(t)) return false;
  ctx.addIssue({ code: 'custom', message: `valor sí/no inválido "${v}"` });
  return z.NEVER;
});

const comunaCut = z.string().transform((v, ctx) => {
  const cut = normaliseCut(v);
  if (!cut) {
    ctx.addIssue({ code: 'custom', message: `código CUT inválido "${v}"` });
    return z.NEVER;
  }
  if (!isPilotComuna(cut)) {
    ctx.addIssue({ code: 'custom', message: `comuna ${cut} no participa en SAN` });
    return z.NEVER;
  }
  return cut;
});

const sex = z.string().transform((v, ctx) => {
  const t = v.trim().toUpperCase();
  if (t === 'F' || t === 'M' || t === '2' || t === '1' || t === 'MUJER' || t === 'HOMBRE') {
    return t === 'F' || t === '2' || t === 'MUJER' ? 'F' : 'M';
  }
  ctx.addIssue({ code: 'custom', message: `sexo inválido "${v}" (F/M)` });
  return z.NEVER;
});

const month = z.string().transform((v, ctx) => {
  const t = v.trim();
  let m = /^(\d{4})-?(\d{2})$/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}-${m[2]}`;
  m = /^(\d{1,2})[-/](\d{4})$/.exec(t);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) return `${m[2]}-${m[1]?.padStart(2, '0')}`;
  ctx.addIssue({ code: 'custom', message: `mes inválido "${v}" (se espera aaaa-mm o mm-aaaa)` });
  return z.NEVER;
});

function runOf(row: Readonly<Record<string, string>>, runCol: string, dvCol: string): Run | RowError {
  const parsed = parseRun(row[runCol] ?? '', row[dvCol] || undefined);
  return parsed.ok ? parsed.run : { field: runCol, reason: parsed.reason };
}

function firstIssue(error: z.ZodError): RowError {
  const issue = error.issues[0];
  return { field: String(issue?.path[0] ?? '(fila)'), reason: issue?.message ?? 'inválido' };
}

// --- Registro Social de Hogares --------------------------------------------------------------

const rshSchema = z.object({
  FECHA_NACIMIENTO: isoDate,
  SEXO: sex,
  FOLIO_HOGAR: requiredText(20),
  TRAMO_RSH: integer(40, 100).refine((n) => n % 10 === 0, 'tramo debe ser 40, 50, …, 100'),
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
  readonly surveyDate: string;
}

export const rshContract: SourceContract<RshFields> = {
  source: 'rsh',
  version: '1.0.0',
  description: 'Registro Social de Hogares: personas menores de 18 años con los datos de su hogar',
  columns: {
    RUN: ['RUN', 'RUT', 'RUN_PERSONA', 'RUN_NNA'],
    DV: ['DV', 'DV_RUN', 'DIGITO_VERIFICADOR'],
    NOMBRES: ['NOMBRES', 'NOMBRE'],
    APELLIDO_PATERNO: ['APELLIDO_PATERNO', 'AP_PATERNO', 'PATERNO'],
    APELLIDO_MATERNO: ['APELLIDO_MATERNO', 'AP_MATERNO', 'MATERNO'],
    FECHA_NACIMIENTO: ['FECHA_NACIMIENTO', 'FEC_NAC', 'FECHA_NAC'],
    SEXO: ['SEXO'],
    FOLIO_HOGAR: ['FOLIO_HOGAR', 'FOLIO', 'ID_HOGAR'],
    TRAMO_RSH: ['TRAMO_RSH', 'TRAMO_CSE', 'TRAMO'],
    N_PERSONAS_HOGAR: ['N_PERSONAS_HOGAR', 'PERSONAS_HOGAR', 'TOTAL_PERSONAS'],
    N_DORMITORIOS: ['N_DORMITORIOS', 'DORMITORIOS'],
    INGRESO_PER_CAPITA: ['INGRESO_PER_CAPITA', 'INGRESO_PC'],
    ESCOLARIDAD_JEFE: ['ESCOLARIDAD_JEFE', 'ANOS_ESCOLARIDAD_JEFE', 'AÑOS_ESCOLARIDAD_JEFE'],
    JEFATURA_MONOPARENTAL: ['JEFATURA_MONOPARENTAL', 'MONOPARENTAL'],
    DISCAPACIDAD_HOGAR: ['DISCAPACIDAD_HOGAR', 'DISCAPACIDAD'],
    PUEBLO_ORIGINARIO: ['PUEBLO_ORIGINARIO', 'PERTENENCIA_PUEBLO_ORIGINARIO'],
    NACIONALIDAD: ['NACIONALIDAD'],
    DIRECCION: ['DIRECCION', 'DOMICILIO'],
    COMUNA: ['COMUNA', 'COD_COMUNA', 'CUT_COMUNA', 'COMUNA_CUT'],
    FECHA_ENCUESTA: ['FECHA_ENCUESTA', 'FECHA_APLICACION'],
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
  validate(row) {
    const run = runOf(row, 'RUN', 'DV');
    if ('reason' in run) return { ok: false, error: run };
    const parsed = rshSchema.safeParse(row);
    if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
    const v = parsed.data;
    if (v.FECHA_NACIMIENTO > v.FECHA_ENCUESTA) {
      return { ok: false, error: { field: 'FECHA_NACIMIENTO', reason: 'posterior a la fecha de encuesta' } };
    }
    const nationality = v.NACIONALIDAD?.toUpperCase();
    return {
      ok: true,
      row: {
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
          surveyDate: v.FECHA_ENCUESTA,
        },
        identity: {
          run,
          givenNames: v.NOMBRES,
          paternalSurname: v.APELLIDO_PATERNO,
          maternalSurname: v.APELLIDO_MATERNO,
          address: v.DIRECCION,
          comuna: v.COMUNA,
        },
      },
    };
  },
  duplicateKey: () => '',
  curate: ({ householdFolio, ...rest }, pseudonymiser) => ({
    ...rest,
    householdId: pseudonymiser.household(householdFolio),
  }),
};

// --- Educación: matrícula y asistencia mensual -------------------------------------------------

const educationSchema = z.object({
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

export const educationContract: SourceContract<EducationFields> = {
  source: 'educacion',
  version: '1.0.0',
  description: 'Matrícula y asistencia escolar mensual por estudiante',
  columns: {
    RUN: ['RUN_ALUMNO', 'RUN', 'MRUN_ALUMNO'],
    DV: ['DV_ALUMNO', 'DV', 'DGV_ALUMNO'],
    RBD: ['RBD', 'COD_ESTABLECIMIENTO'],
    COMUNA: ['COD_COMUNA', 'COMUNA', 'COD_COM_ALU', 'CUT_COMUNA'],
    GRADO: ['GRADO', 'COD_GRADO', 'CURSO'],
    MES: ['MES', 'PERIODO'],
    ASISTENCIA: ['ASISTENCIA', 'PORC_ASISTENCIA', 'ASISTENCIA_MES'],
    REPITENTE: ['REPITENTE', 'SIT_REPITENTE'],
    RETIRADO: ['RETIRADO', 'SIT_RETIRADO'],
  },
  required: ['RUN', 'RBD', 'COMUNA', 'MES', 'ASISTENCIA', 'REPITENTE', 'RETIRADO'],
  validate(row) {
    const run = runOf(row, 'RUN', 'DV');
    if ('reason' in run) return { ok: false, error: run };
    const parsed = educationSchema.safeParse(row);
    if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
    const v = parsed.data;
    return {
      ok: true,
      row: {
        run,
        comuna: v.COMUNA,
        fields: {
          schoolId: v.RBD,
          grade: v.GRADO,
          month: v.MES,
          attendancePct: v.ASISTENCIA,
          repeating: v.REPITENTE,
          withdrawn: v.RETIRADO,
        },
        identity: { run, comuna: v.COMUNA },
      },
    };
  },
  duplicateKey: (row) => `${row.fields.month}|${row.fields.schoolId}`,
  curate: (fields) => ({ ...fields }),
};

export const CONTRACTS: Readonly<Record<SourceId, SourceContract<unknown>>> = {
  rsh: rshContract as SourceContract<unknown>,
  educacion: educationContract as SourceContract<unknown>,
};

export function isSourceId(value: string): value is SourceId {
  return Object.hasOwn(CONTRACTS, value);
}

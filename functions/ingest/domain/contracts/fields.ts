/**
 * Field parsers shared by the source contracts: text, dates (dd-mm-yyyy or ISO), numbers with
 * decimal commas and thousands dots, yes/no flags, CUT codes, sex, months and RUNs. Each one says
 * what is wrong with a value in the words a data team reads.
 */
import { z } from 'zod';
import { isPilotComuna, normaliseCut } from '../../../shared/domain/comunas';
import { parseDate } from '../../../shared/domain/dates';
import type { Run } from '../../../shared/domain/run';
import { parseRun } from '../../../shared/domain/run';
import { INSTITUTION_CODE } from '../quality';
import type { RowError, TimelinessItem } from './types';

export const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `más de ${max} caracteres`)
    .transform((v) => v.replace(/\s+/g, ' '));
export const requiredText = (max: number) => text(max).refine((v) => v.length > 0, 'vacío');
export const optionalText = (max: number) => text(max).transform((v) => (v === '' ? undefined : v));

export const isoDate = z.string().transform((v, ctx) => {
  const parsed = parseDate(v);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `fecha inválida "${v}" (se espera dd-mm-aaaa o aaaa-mm-dd)` });
    return z.NEVER;
  }
  return parsed;
});

export const optionalDate = z.string().transform((v, ctx) => {
  if (v.trim() === '') return undefined;
  const parsed = parseDate(v);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `fecha inválida "${v}" (se espera dd-mm-aaaa o aaaa-mm-dd)` });
    return z.NEVER;
  }
  return parsed;
});

/** Integers and decimals, accepting a decimal comma and thousands dots (`1.234,5`). */
export const decimal = (min: number, max: number) =>
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
export const integer = (min: number, max: number) =>
  decimal(min, max).refine((n) => Number.isInteger(n), 'se espera un entero');

export const flag = z.string().transform((v, ctx) => {
  const t = v.trim().toUpperCase();
  if (['1', 'S', 'SI', 'SÍ', 'TRUE', 'X'].includes(t)) return true;
  if (['0', 'N', 'NO', 'FALSE', ''].includes(t)) return false;
  ctx.addIssue({ code: 'custom', message: `valor sí/no inválido "${v}"` });
  return z.NEVER;
});

export const comunaCut = z.string().transform((v, ctx) => {
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

/** A CUT code that may belong to any comuna of the country (not only SAN comunas). */
export const anyComunaCut = z.string().transform((v, ctx) => {
  if (v.trim() === '') return undefined;
  const cut = normaliseCut(v);
  if (!cut) {
    ctx.addIssue({ code: 'custom', message: `código CUT inválido "${v}"` });
    return z.NEVER;
  }
  return cut;
});

export const sex = z.string().transform((v, ctx) => {
  const t = v.trim().toUpperCase();
  if (t === 'F' || t === '2' || t === 'MUJER') return 'F' as const;
  if (t === 'M' || t === '1' || t === 'HOMBRE') return 'M' as const;
  ctx.addIssue({ code: 'custom', message: `sexo inválido "${v}" (F/M)` });
  return z.NEVER;
});

export const month = z.string().transform((v, ctx) => {
  const t = v.trim();
  let m = /^(\d{4})-?(\d{2})$/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}-${m[2]}`;
  m = /^(\d{1,2})[-/](\d{4})$/.exec(t);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) return `${m[2]}-${m[1]?.padStart(2, '0')}`;
  ctx.addIssue({ code: 'custom', message: `mes inválido "${v}" (se espera aaaa-mm o mm-aaaa)` });
  return z.NEVER;
});

/** One of the given codes, compared without case or accents. */
export const code = <const T extends readonly [string, ...string[]]>(codes: T, label: string) =>
  z.string().transform((v, ctx) => {
    const t = v
      .trim()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toUpperCase()
      .replace(/[\s-]+/g, '_');
    const found = codes.find((c) => c === t);
    if (!found) {
      ctx.addIssue({ code: 'custom', message: `${label} inválido "${v}" (se espera ${codes.join(', ')})` });
      return z.NEVER;
    }
    return found as T[number];
  });

/** The subject's RUN from a RUN column and an optional separate check-digit column. */
export function runOf(row: Readonly<Record<string, string>>, runCol: string, dvCol: string): Run | RowError {
  const parsed = parseRun(row[runCol] ?? '', row[dvCol] || undefined);
  return parsed.ok ? parsed.run : { field: runCol, reason: parsed.reason };
}

/** A RUN that may be absent; a present but invalid one is an error. */
export function optionalRunOf(
  row: Readonly<Record<string, string>>,
  runCol: string,
  dvCol?: string,
): Run | undefined | RowError {
  const value = row[runCol] ?? '';
  if (value.trim() === '') return undefined;
  return runOf(row, runCol, dvCol ?? '');
}

export function firstIssue(error: z.ZodError): RowError {
  const issue = error.issues[0];
  return { field: String(issue?.path[0] ?? '(fila)'), reason: issue?.message ?? 'inválido' };
}

export function isRowError(value: unknown): value is RowError {
  return typeof value === 'object' && value !== null && 'reason' in value && 'field' in value;
}

/**
 * The common start of every contract's validation: the subject's RUN (columns RUN and DV), then
 * the row against `schema`; the first problem found is the row's error.
 */
export function parseSubjectRow<S extends z.ZodType>(
  row: Readonly<Record<string, string>>,
  schema: S,
): { ok: true; run: Run; values: z.infer<S> } | { ok: false; error: RowError } {
  const run = runOf(row, 'RUN', 'DV');
  if ('reason' in run) return { ok: false, error: run };
  const parsed = schema.safeParse(row);
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
  return { ok: true, run, values: parsed.data };
}

/** `<label> <code>` when `value` is shaped like an institution code; undefined for anything else. */
export function institutionFromCode(label: string, value: string | undefined): string | undefined {
  const code = value?.trim() ?? '';
  return INSTITUTION_CODE.test(code) ? `${label} ${code}` : undefined;
}

/** A timeliness item of the ICI: the event registered within three business days. */
export function registeredWithinThreeDays<R>(
  item: string,
  label: string,
  event: (fields: R) => string | undefined,
  registered: (fields: R) => string | undefined,
): TimelinessItem<R> {
  return { item, label, businessDays: 3, event, registered };
}

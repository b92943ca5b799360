import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FieldParser } from '../../../functions/ingest/domain/contracts/fields';
import {
  anyComunaCut,
  code,
  comunaCut,
  decimal,
  flag,
  Invalid,
  integer,
  isoDate,
  month,
  optionalDate,
  optionalText,
  refine,
  requiredText,
  sex,
} from '../../../functions/ingest/domain/contracts/fields';
import { isKnownComuna, normaliseCut } from '../../../functions/shared/domain/comunas';
import { parseDate } from '../../../functions/shared/domain/dates';

/**
 * The field parsers as they were first declared, in zod, for comparison: the same value or the
 * same first reason for every input.
 */
const reference = {
  text: (max: number) =>
    z
      .string()
      .trim()
      .max(max, `más de ${max} caracteres`)
      .transform((v) => v.replace(/\s+/g, ' ')),
  requiredText: (max: number) => reference.text(max).refine((v) => v.length > 0, 'vacío'),
  optionalText: (max: number) => reference.text(max).transform((v) => (v === '' ? undefined : v)),
  isoDate: z.string().transform((v, ctx) => {
    const parsed = parseDate(v);
    if (!parsed) {
      ctx.addIssue({ code: 'custom', message: `fecha inválida "${v}" (se espera dd-mm-aaaa o aaaa-mm-dd)` });
      return z.NEVER;
    }
    return parsed;
  }),
  optionalDate: z.string().transform((v, ctx) => {
    if (v.trim() === '') return undefined;
    const parsed = parseDate(v);
    if (!parsed) {
      ctx.addIssue({ code: 'custom', message: `fecha inválida "${v}" (se espera dd-mm-aaaa o aaaa-mm-dd)` });
      return z.NEVER;
    }
    return parsed;
  }),
  decimal: (min: number, max: number) =>
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
    }),
  integer: (min: number, max: number) =>
    reference.decimal(min, max).refine((n) => Number.isInteger(n), 'se espera un entero'),
  flag: z.string().transform((v, ctx) => {
    const t = v.trim().toUpperCase();
    if (['1', 'S', 'SI', 'SÍ', 'TRUE', 'X'].includes(t)) return true;
    if (['0', 'N', 'NO', 'FALSE', ''].includes(t)) return false;
    ctx.addIssue({ code: 'custom', message: `valor sí/no inválido "${v}"` });
    return z.NEVER;
  }),
  comunaCut: z.string().transform((v, ctx) => {
    const cut = normaliseCut(v);
    if (!cut) {
      ctx.addIssue({ code: 'custom', message: `código CUT inválido "${v}"` });
      return z.NEVER;
    }
    if (!isKnownComuna(cut)) {
      ctx.addIssue({ code: 'custom', message: `código CUT ${cut} no está en la lista oficial de comunas` });
      return z.NEVER;
    }
    return cut;
  }),
  anyComunaCut: z.string().transform((v, ctx) => {
    if (v.trim() === '') return undefined;
    const cut = normaliseCut(v);
    if (!cut) {
      ctx.addIssue({ code: 'custom', message: `código CUT inválido "${v}"` });
      return z.NEVER;
    }
    if (!isKnownComuna(cut)) {
      ctx.addIssue({ code: 'custom', message: `código CUT ${cut} no está en la lista oficial de comunas` });
      return z.NEVER;
    }
    return cut;
  }),
  sex: z.string().transform((v, ctx) => {
    const t = v.trim().toUpperCase();
    if (t === 'F' || t === '2' || t === 'MUJER') return 'F' as const;
    if (t === 'M' || t === '1' || t === 'HOMBRE') return 'M' as const;
    ctx.addIssue({ code: 'custom', message: `sexo inválido "${v}" (F/M)` });
    return z.NEVER;
  }),
  month: z.string().transform((v, ctx) => {
    const t = v.trim();
    let m = /^(\d{4})-?(\d{2})$/.exec(t);
    if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}-${m[2]}`;
    m = /^(\d{1,2})[-/](\d{4})$/.exec(t);
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) return `${m[2]}-${m[1]?.padStart(2, '0')}`;
    ctx.addIssue({ code: 'custom', message: `mes inválido "${v}" (se espera aaaa-mm o mm-aaaa)` });
    return z.NEVER;
  }),
  code: <const T extends readonly [string, ...string[]]>(codes: T, label: string) =>
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
    }),
};

const CODES = ['OPD', 'MALTRATO_FISICO', 'SIN_VISITAS', 'A1'] as const;

const pairs: [string, FieldParser<unknown>, z.ZodType][] = [
  ['optionalText(10)', optionalText(10), reference.optionalText(10)],
  ['requiredText(20)', requiredText(20), reference.requiredText(20)],
  ['optionalText(40)', optionalText(40), reference.optionalText(40)],
  ['isoDate', isoDate, reference.isoDate],
  ['optionalDate', optionalDate, reference.optionalDate],
  ['decimal(0, 50000000)', decimal(0, 50_000_000), reference.decimal(0, 50_000_000)],
  ['decimal(-5, 5)', decimal(-5, 5), reference.decimal(-5, 5)],
  ['integer(1, 30)', integer(1, 30), reference.integer(1, 30)],
  [
    'integer(40, 100) in tens',
    refine(integer(40, 100), (n) => n % 10 === 0, 'tramo'),
    reference.integer(40, 100).refine((n) => n % 10 === 0, 'tramo'),
  ],
  ['flag', flag, reference.flag],
  ['comunaCut', comunaCut, reference.comunaCut],
  ['anyComunaCut', anyComunaCut, reference.anyComunaCut],
  ['sex', sex, reference.sex],
  ['month', month, reference.month],
  ['code', code(CODES, 'código'), reference.code(CODES, 'código')],
];

const SAMPLES = [
  ...[
    '',
    ' ',
    '  x  ',
    'a  b',
    'a\tb',
    ' a \t b ',
    '\u00a0',
    '\u00a0S\u00a0',
    'x\u2003y',
    'a \u00a0b',
    'ctl\u0001x',
  ],
  ...['ÁÉÍ', 'Ñuñoa', 'José "Pepe"', 'a'.repeat(10), 'a'.repeat(11), `  ${'b'.repeat(20)}  `, 'b'.repeat(21)],
  ...[
    '0',
    '1',
    '7',
    '007',
    '-0',
    '+5',
    '.5',
    '5.',
    '1e3',
    '0x10',
    'Infinity',
    'NaN',
    '-1',
    '3,5',
    ' 7 ',
    '12.34',
  ],
  ...[
    '529.305',
    '1.234',
    '1.234.567',
    '1.234,5',
    '49.999.999,99',
    '50.000.000',
    '50.000.001',
    '1234.567',
    '1..234',
  ],
  ...[
    '12.3456',
    '.123',
    '123.',
    '1.23.456',
    '999999999999999',
    '9999999999999999',
    '1.000.000.000.000.000',
    '40',
  ],
  ...['45', '100', '110', '30', '31', '25', '26', '50000000', '50000001', '1e400', '١٢'],
  ...[
    '29-02-2024',
    '29-02-2023',
    '31-04-2020',
    '2020-02-29',
    '0050-01-01',
    '1-1-2020',
    '01/01/2020',
    ' 01.01.2020 ',
  ],
  ...[
    'S',
    's',
    'si',
    'SÍ',
    'sí',
    'Si ',
    'x',
    'X',
    'true',
    'False',
    'no',
    'N ',
    'n',
    'tal vez',
    'F',
    'M',
    'f',
    'm',
  ],
  ...[
    'MUJER',
    'hombre',
    '2',
    '3',
    '1101',
    '01101',
    '13101',
    '99999',
    '013101',
    '4101',
    '16107',
    '13201',
    '05101',
    '00000',
    ' 13101',
  ],
  ...['2024-13', '2024-00', '2024-05', '202405', '5-2024', '05/2024', '13-2024', '0-2024', '2024/05'],
  ...[
    'OPD',
    'opd',
    'Opd ',
    'MALTRATO_FISICO',
    'Maltrato físico',
    'maltrato-fisico',
    'MALTRATO  FISICO',
    'A1',
    'a1',
  ],
  ...['SIN VISITAS', 'sin-visitas', 'ÓPD', 'OPD\u0301'],
];

function outcome(parser: FieldParser<unknown>, value: string): unknown {
  const r = parser(value);
  return r instanceof Invalid ? { reason: r.reason } : { value: r };
}

function referenceOutcome(schema: z.ZodType, value: string): unknown {
  const r = schema.safeParse(value);
  return r.success ? { value: r.data } : { reason: r.error.issues[0]?.message };
}

describe('field parsers read every value as their zod declarations did', () => {
  it.each(pairs)('%s', (_name, parser, schema) => {
    for (const value of SAMPLES)
      expect(outcome(parser, value), JSON.stringify(value)).toEqual(referenceOutcome(schema, value));
  });

  it('numbers: on random digit, dot and comma strings', () => {
    const read = decimal(-1e9, 1e9);
    const ref = reference.decimal(-1e9, 1e9);
    const alphabet = '0123456789.,-';
    let seed = 3;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 50_000; i++) {
      let value = '';
      for (let k = next(12); k > 0; k--) value += alphabet[next(alphabet.length)];
      expect(outcome(read, value), value).toEqual(referenceOutcome(ref, value));
    }
  });
});

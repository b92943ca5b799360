/** Schemas more than one feature's routes use: path words, a comuna as answers name it. */
import { z } from 'zod';
import { findComuna } from '../domain/comunas';
import { CHILD_ID_PATTERN } from '../domain/pseudonym';

/** `{comuna}`: a comuna's CUT code, one of the comunas SAN knows. */
export const comunaParam = z
  .string()
  .regex(/^\d{5}$/, 'debe ser un código CUT de 5 dígitos')
  .refine((c) => findComuna(c) !== undefined, 'no es una comuna de SAN')
  .meta({ description: 'Código CUT de la comuna (5 dígitos)', examples: ['13101'] });

/** `{cut}`: a monthly cut. */
export const cutParam = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'debe ser un corte aaaa-mm')
  .meta({ description: 'Corte mensual, aaaa-mm', examples: ['2026-10'] });

/** `{childId}`: a child's pseudonym (never a RUN). */
export const childIdParam = z
  .string()
  .regex(CHILD_ID_PATTERN, 'no es el seudónimo de un niño (n-…); nunca un RUN')
  .meta({ description: 'Seudónimo del niño, niña o adolescente', examples: ['n-abcdefghijklmnopqrstuv'] });

/** A comuna in an answer: its CUT code and name. */
export const comunaRefSchema = z
  .object({ code: z.string(), name: z.string().nullable() })
  .meta({ description: 'Comuna: código CUT y nombre' });

/** `limit` (1 to 200, default 50) and `cursor` (the previous page's `nextCursor`) of a paged listing. */
export const pageQuery = {
  limit: z.coerce
    .number({ error: 'debe ser un número entero de 1 a 200' })
    .int('debe ser un número entero de 1 a 200')
    .min(1, 'debe ser un número entero de 1 a 200')
    .max(200, 'debe ser un número entero de 1 a 200')
    .default(50),
  cursor: z.string().max(2048).optional().meta({ description: 'El `nextCursor` de la página anterior' }),
};

/** The `If-Match` header of a change written only over the version read (`what`: "del caso"). */
export const ifMatchHeader = (what: string) =>
  z.object({
    'if-match': z
      .string()
      .optional()
      .meta({
        description: `El ETag ${what} leído (\`"<versión>"\`): el cambio se escribe solo sobre esa versión`,
      }),
  });

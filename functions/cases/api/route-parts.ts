/**
 * What the case feature's route tables share: path parameters, the `If-Match` header, paging, and
 * the answer every change of a case gives (the case as the caller may see it, with its new ETag).
 */
import { z } from 'zod';
import { errorResponses } from '../../shared/api/route';
import { comunaParam, ifMatchHeader, pageQuery } from '../../shared/api/schemas';
import { caseViewSchema } from './views';
export const OLN = 'roles OLN de la comuna; roles regionales y central (resumen)';
export const isoDay = z.iso.date({ error: 'debe ser una fecha aaaa-mm-dd' });
export const caseIdParam = z
  .string()
  .regex(/^c-[A-Za-z0-9_-]{22}$/, 'no es un identificador de caso (c-…)')
  .meta({ description: 'Identificador del caso', examples: ['c-AbCdEfGhIjKlMnOpQrStUv'] });
export const itemIdParam = z.string().regex(/^[a-z]+-[0-9a-f]{16}$/, 'no es un identificador de este caso');
export const caseParams = z.object({ comuna: comunaParam, caseId: caseIdParam });
export const ifMatch = ifMatchHeader('del caso');
export { pageQuery };

export const caseExample = {
  view: 'resumen',
  caseId: 'c-AbCdEfGhIjKlMnOpQrStUv',
  comuna: { code: '13101', name: 'Santiago' },
  childId: 'n-abcdefghijklmnopqrstuv',
  family: 'h-abcdefghijklmnopqrstuv',
  origin: 'predictivo',
  state: 'diagnostico',
  stateLabel: 'diagnóstico',
  openedAt: '2026-11-05T09:00:00.000Z',
  gestor: 'gestor-13101-01',
  terapeuta: null,
  waiting: [],
  ventile: 20,
  sessions: 0,
  agreements: 1,
  overdueAgreements: 0,
  referrals: [{ program: 'abriendo_caminos', state: 'enviada' }],
  ncfas: { ingreso: true, cierre: false },
  version: 5,
};

/** What every change of a case answers: the case as the caller may see it, with its new ETag. */
export const changedCase = {
  200: {
    description: 'El caso, ya cambiado; la cabecera `ETag` trae su nueva versión',
    schema: caseViewSchema,
    example: caseExample,
  },
  ...errorResponses(400, 403, 404, 409, 412, 415, 422, 428),
} as const;

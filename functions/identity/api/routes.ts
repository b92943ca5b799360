/** The identity route: a child's RUN, names and address, for a stated purpose, logged. */
import { z } from 'zod';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { childIdParam, comunaParam, comunaRefSchema } from '../../shared/api/schemas';
import { ACCESS_PURPOSES } from '../domain/access';

export const getIdentityRoute = defineRoute({
  method: 'GET',
  path: '/v1/comunas/{comuna}/children/{childId}/identity',
  operationId: 'getIdentity',
  tag: 'identidad',
  summary: 'RUN, nombres y domicilio de un niño, para un propósito declarado',
  description:
    'Cada solicitud, también las rechazadas, queda en el registro de accesos antes de responder; si no puede registrarse, no se responde. Un niño fuera de la nómina de la comuna, o inscrito en otra, responde 404 igual.',
  access: permission('identity:read', 'coordinador, gestor_casos o terapeuta_familiar de la comuna (no `*`)'),
  params: z.object({ comuna: comunaParam, childId: childIdParam }),
  query: z.object({
    purpose: z.enum(ACCESS_PURPOSES, { message: `debe ser uno de: ${ACCESS_PURPOSES.join(', ')}` }),
  }),
  responses: {
    200: {
      description: 'Los datos personales, con la fuente y el corte de los que vienen',
      schema: z.object({
        childId: z.string(),
        comuna: comunaRefSchema,
        run: z.string(),
        givenNames: z.string().nullable(),
        paternalSurname: z.string().nullable(),
        maternalSurname: z.string().nullable(),
        address: z.string().nullable(),
        source: z.string().nullable(),
        cut: z.string().nullable(),
        purpose: z.enum(ACCESS_PURPOSES),
        notice: z.string(),
      }),
      example: {
        childId: 'n-abcdefghijklmnopqrstuv',
        comuna: { code: '13101', name: 'Santiago' },
        run: '22.222.222-2',
        givenNames: 'Josefina',
        paternalSurname: 'Pérez',
        maternalSurname: 'Soto',
        address: 'Av. Matta 123',
        source: 'rsh',
        cut: '2026-10',
        purpose: 'contacto_familia',
        notice:
          'Datos personales de un niño, niña o adolescente (Ley 21.719): úselos solo para el propósito declarado; este acceso quedó registrado.',
      },
    },
    ...errorResponses(400, 403, 404),
  },
});

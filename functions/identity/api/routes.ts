/** The identity route: a child's RUN, names and address, for a stated purpose, logged. */
import { z } from 'zod';
import { defineRoute, errorResponses, permission } from '../../shared/api/route';
import { childIdParam, comunaParam, comunaRefSchema } from '../../shared/api/schemas';
import { ACCESS_PURPOSES } from '../domain/access';

const OUTCOMES = ['granted', 'denied', 'not_found', 'invalid_request'] as const;
const dayParam = z.iso.date({ error: 'debe ser una fecha aaaa-mm-dd' });

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
        run: z.string().nullable().meta({
          description: 'null para un niño conocido solo por una alerta que no traía RUN (niño provisional)',
        }),
        givenNames: z.string().nullable(),
        paternalSurname: z.string().nullable(),
        maternalSurname: z.string().nullable(),
        address: z.string().nullable(),
        birthDate: z
          .string()
          .nullable()
          .meta({ description: 'Fecha de nacimiento (aaaa-mm-dd), si alguna fuente la da' }),
        approximateAge: z.number().nullable().meta({
          description:
            'Edad aproximada en años que dio quien alertó, cuando no se conoce la fecha de nacimiento',
        }),
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
        birthDate: '2015-03-14',
        approximateAge: null,
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

const accessEntrySchema = z.object({
  childId: z
    .string()
    .meta({ description: 'Seudónimo del niño consultado; `#none` si la solicitud no nombró uno válido' }),
  at: z.string().meta({ description: 'Cuándo (ISO 8601, UTC)' }),
  subject: z.string().nullable().meta({ description: 'Quién: el usuario del token' }),
  role: z.string().nullable(),
  comuna: z.string().nullable().meta({ description: 'Código CUT de la comuna consultada' }),
  purpose: z.enum(ACCESS_PURPOSES).nullable().meta({ description: 'Para qué' }),
  outcome: z.enum(OUTCOMES).meta({
    description:
      'granted (se entregaron los datos), denied, not_found o invalid_request (no se entregó nada)',
  }),
  reason: z.string().nullable().meta({ description: 'Código del rechazo, si lo hubo' }),
  invalid: z
    .array(z.string())
    .meta({ description: 'Parámetros no válidos (sus nombres, nunca sus valores)' }),
  requestId: z.string(),
});

export const getAccessLogRoute = defineRoute({
  method: 'GET',
  path: '/v1/access-log',
  operationId: 'getAccessLog',
  tag: 'identidad',
  summary: 'El registro de accesos a datos personales, de un niño o de un usuario',
  description:
    'Para auditar y para responder la solicitud de una familia (Ley 21.719): qué se consultó, quién, cuándo, para qué y con qué resultado. Indique `childId` o `subject` (uno de los dos) y, si quiere, los días `from` y `to` (incluidos). El registro no guarda datos personales: solo seudónimos.',
  access: permission('accesslog:read', 'administrador_central'),
  query: z
    .object({
      childId: childIdParam.optional(),
      subject: z.string().trim().min(1).max(200).optional().meta({ description: 'Usuario (sub del token)' }),
      from: dayParam.optional().meta({ description: 'Primer día, aaaa-mm-dd (UTC)' }),
      to: dayParam.optional().meta({ description: 'Último día, aaaa-mm-dd (UTC)' }),
      limit: z.coerce
        .number({ error: 'debe ser un número entero entre 1 y 500' })
        .int('debe ser un número entero entre 1 y 500')
        .min(1, 'debe ser un número entero entre 1 y 500')
        .max(500, 'debe ser un número entero entre 1 y 500')
        .default(100),
      cursor: z
        .string()
        .min(1)
        .max(2000)
        .optional()
        .meta({ description: 'El nextCursor de la página anterior' }),
    })
    .refine((q) => (q.childId === undefined) !== (q.subject === undefined), {
      message: 'indique childId o subject, uno de los dos',
      path: ['childId'],
    })
    .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
      message: 'from no puede ser posterior a to',
      path: ['from'],
    }),
  responses: {
    200: {
      description: 'Las entradas, de la más antigua a la más reciente',
      schema: z.object({ entries: z.array(accessEntrySchema), nextCursor: z.string().nullable() }),
      example: {
        entries: [
          {
            childId: 'n-abcdefghijklmnopqrstuv',
            at: '2026-12-07T15:04:05.000Z',
            subject: 'gestor-13101-07',
            role: 'gestor_casos',
            comuna: '13101',
            purpose: 'contacto_familia',
            outcome: 'granted',
            reason: null,
            invalid: [],
            requestId: 'c0ffee00-0000-4000-8000-000000000000',
          },
        ],
        nextCursor: null,
      },
    },
    ...errorResponses(400, 403),
  },
});

const reportEntrySchema = z.object({
  at: z.string(),
  subject: z.string().nullable(),
  role: z.string().nullable(),
  comuna: z.string().nullable(),
  purpose: z.enum(ACCESS_PURPOSES).nullable(),
  purposeLabel: z.string().nullable(),
  outcome: z.enum(OUTCOMES),
  outcomeLabel: z.string(),
});

export const familyAccessReportRoute = defineRoute({
  method: 'POST',
  path: '/v1/access-log/family-report',
  operationId: 'familyAccessReport',
  tag: 'identidad',
  summary: 'El informe de accesos de una familia, para su solicitud como titular de datos (Ley 21.719)',
  description:
    'Con los RUN de los niños de la familia (en el cuerpo, nunca en la URL), entrega cada solicitud de sus datos personales: quién, con qué rol, cuándo, en qué comuna, para qué y si se entregaron, más el texto del informe para la familia. La respuesta muestra de cada RUN solo sus últimos dígitos.',
  access: permission('accesslog:read', 'administrador_central'),
  body: z
    .strictObject({
      runs: z
        .array(z.string().trim().min(3).max(20), { error: 'indique los RUN de los niños de la familia' })
        .min(1, 'indique al menos un RUN')
        .max(20, 'a lo más 20 RUN por informe'),
      from: dayParam.optional(),
      to: dayParam.optional(),
    })
    .refine((b) => b.from === undefined || b.to === undefined || b.from <= b.to, {
      message: 'from no puede ser posterior a to',
      path: ['from'],
    }),
  responses: {
    200: {
      description: 'El informe',
      schema: z.object({
        generatedAt: z.string(),
        from: z.string().nullable(),
        to: z.string().nullable(),
        children: z.array(
          z.object({
            position: z.number().int(),
            run: z.string().meta({ description: 'El RUN con todo oculto salvo sus últimos dígitos' }),
            childId: z.string(),
            requests: z.number().int(),
            granted: z.number().int(),
            entries: z.array(reportEntrySchema),
          }),
        ),
        text: z.string().meta({ description: 'El informe en palabras, para enviar a la familia' }),
      }),
      example: {
        generatedAt: '2026-12-07T15:00:00.000Z',
        from: null,
        to: null,
        children: [
          {
            position: 1,
            run: '**.***.222-2',
            childId: 'n-abcdefghijklmnopqrstuv',
            requests: 1,
            granted: 1,
            entries: [
              {
                at: '2026-12-05T14:00:00.000Z',
                subject: 'gestor-13101-01',
                role: 'gestor_casos',
                comuna: '13101',
                purpose: 'contacto_familia',
                purposeLabel: 'contactar a la familia',
                outcome: 'granted',
                outcomeLabel: 'se entregaron los datos',
              },
            ],
          },
        ],
        text: 'Informe de accesos a datos personales (Ley 21.719), emitido el 2026-12-07.\n…',
      },
    },
    ...errorResponses(400, 403, 415, 422),
  },
});

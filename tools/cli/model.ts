/**
 * `npm run san -- model <subcommand>`: the model registry's life cycle from the command line,
 * through the HTTP API (the local system's or the one in AWS, with a token): list the versions,
 * show one, register a file, put a version in shadow, approve, promote, roll back, and read a
 * shadow report. Everything printed is Spanish; a refusal prints the API's message.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { z } from 'zod';
import { z as zod } from 'zod';
import {
  getModelRoute,
  getShadowReportRoute,
  listModelsRoute,
  modelRecordSchema,
} from '../../functions/models/api/routes';
import { errorBodySchema } from '../../functions/shared/api/route';
import { parseFlags, UsageError } from '../lib/cli-args';
import { unreachable } from './failures';

export const MODEL_USAGE = `uso: npm run san -- model <subcomando> [opciones]

Subcomandos:
  list                          las versiones registradas, con su estado y su último cambio
  show <versión>                una versión, con toda su historia
  register <archivo.onnx>       registra un archivo de modelo como versión nueva
  shadow <versión>              pone una versión registrada en sombra
  approve <versión> --reason "…"  aprueba la versión en sombra (administrador_central)
  promote <versión> --reason "…"  despliega la versión aprobada (administrador_central)
  rollback --reason "…"         vuelve a desplegar la versión anterior (administrador_central)
  report <comuna> <aaaa-mm>     el informe en sombra de una comuna y corte [--version <versión>]

Todos toman --api <url> (la URL de la API; npm start la imprime) y --token <jwt> (por omisión $SAN_TOKEN).
La ayuda de cada subcomando: npm run san -- model <subcomando> --help`;

const urlFlag = zod.url({ error: 'debe ser una URL, por ejemplo http://127.0.0.1:3000' });

const COMMON = {
  api: { type: 'string', value: 'url', description: 'URL base de la API del SAN' },
  token: {
    type: 'string',
    value: 'jwt',
    description: 'token (bearer) de un administrador_central para los cambios (por omisión: $SAN_TOKEN)',
  },
} as const;
const REASON = {
  type: 'string',
  value: 'motivo',
  description: 'por qué se hace el cambio (queda registrado)',
} as const;

type Record_ = z.infer<typeof modelRecordSchema>;

/** Calls the API and answers the parsed body; a refusal becomes an error with the API's message. */
async function call<S extends z.ZodType>(
  api: string,
  token: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.infer<S>> {
  const url = `${api.replace(/\/$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined
          ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() }
          : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    throw new Error(unreachable(api, error));
  }
  const data: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = errorBodySchema.safeParse(data);
    const message = error.success
      ? error.data.error.message
      : response.status === 401
        ? 'falta el token o no es válido: --token <jwt> o $SAN_TOKEN'
        : JSON.stringify(data ?? '').slice(0, 300);
    throw new Error(`la API respondió ${response.status}: ${message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new Error(`la respuesta de ${url} no es la esperada: ¿es --api la URL de la API del SAN?`);
  return parsed.data;
}

function lastChange(r: Record_): string {
  const h = r.history[r.history.length - 1];
  if (!h) return '';
  return `${h.at.slice(0, 16).replace('T', ' ')} ${h.by.subject} (${h.by.role})${h.reason ? `: ${h.reason}` : ''}`;
}

function describeRecord(r: Record_): string {
  const lines = [
    `${r.version}  ${r.stateLabel}`,
    `  archivo: ${r.bytes} bytes, SHA-256 ${r.fileSha256}`,
    `  entrenado con: ${r.trainedOn}`,
    `  métricas de la ficha: ${
      Object.entries(r.metrics)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '—'
    }`,
    '  historia:',
    ...r.history.map(
      (h) =>
        `    ${h.at}  ${h.from ?? '—'} → ${h.to}  ${h.action}  por ${h.by.subject} (${h.by.role})${h.reason ? `  «${h.reason}»` : ''}`,
    ),
  ];
  return lines.join('\n');
}

/** Takes the leading positionals off `argv`. */
function positionals(argv: string[]): string[] {
  const out: string[] = [];
  while (argv[0] !== undefined && !argv[0].startsWith('-')) out.push(argv.shift() as string);
  return out;
}

const write = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

export async function model(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    write(MODEL_USAGE);
    if (sub === undefined) throw new UsageError('falta el subcomando');
    return;
  }
  const args = [...rest];
  const given = positionals(args);
  const one = (usage: string): string => {
    const [value, ...extra] = given;
    if (value === undefined || extra.length > 0) throw new UsageError(usage);
    return value;
  };
  const none = (usage: string): void => {
    if (given.length > 0) throw new UsageError(usage);
  };
  const common = zod.object({ api: urlFlag, token: zod.string().optional() });
  const tokenOf = (flags: { token?: string | undefined }): string | undefined =>
    flags.token ?? process.env.SAN_TOKEN;

  switch (sub) {
    case 'list': {
      const usage = 'uso: npm run san -- model list --api <url> [--token <jwt>]';
      const flags = parseFlags(args, COMMON, common, usage);
      none(usage);
      const out = await call(
        flags.api,
        tokenOf(flags),
        'GET',
        listModelsRoute.path,
        listModelsRoute.responses[200].schema,
      );
      if (out.models.length === 0) {
        write(
          'el registro de modelos está vacío: la primera puntuación registra el modelo de la capa como desplegado',
        );
        return;
      }
      for (const r of out.models)
        write(`${r.version.padEnd(26)} ${r.stateLabel.padEnd(11)} ${lastChange(r)}`);
      write(`\ndesplegada: ${out.deployed ?? '—'}; en sombra o aprobada: ${out.candidate ?? '—'}`);
      return;
    }
    case 'show': {
      const usage = 'uso: npm run san -- model show <versión> --api <url> [--token <jwt>]';
      const flags = parseFlags(args, COMMON, common, usage);
      const version = one(usage);
      const path = getModelRoute.path.replace('{version}', encodeURIComponent(version));
      write(describeRecord(await call(flags.api, tokenOf(flags), 'GET', path, modelRecordSchema)));
      return;
    }
    case 'register': {
      const usage =
        'uso: npm run san -- model register <archivo.onnx> --api <url> [--token <jwt>] [--reason "…"]';
      const flags = parseFlags(
        args,
        { ...COMMON, reason: REASON },
        common.extend({ reason: zod.string().optional() }),
        usage,
      );
      const file = one(usage);
      if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no existe el archivo ${file}`);
      const bytes = readFileSync(file);
      const r = await call(flags.api, tokenOf(flags), 'POST', '/v1/models', modelRecordSchema, {
        file: bytes.toString('base64'),
        ...(flags.reason ? { reason: flags.reason } : {}),
      });
      write(
        `registrada ${r.version} (${r.stateLabel}); siga con: npm run san -- model shadow ${r.version} --api ${flags.api}`,
      );
      return;
    }
    case 'shadow':
    case 'approve':
    case 'promote': {
      const required = sub !== 'shadow';
      const usage = `uso: npm run san -- model ${sub} <versión> --api <url> [--token <jwt>] ${required ? '--reason "…"' : '[--reason "…"]'}`;
      const flags = parseFlags(
        args,
        { ...COMMON, reason: REASON },
        common.extend({
          reason: required
            ? zod.string().trim().min(5, 'el motivo debe tener al menos 5 caracteres')
            : zod.string().optional(),
        }),
        usage,
      );
      const version = one(usage);
      const r = await call(
        flags.api,
        tokenOf(flags),
        'POST',
        `/v1/models/${encodeURIComponent(version)}/${sub}`,
        modelRecordSchema,
        flags.reason ? { reason: flags.reason } : {},
      );
      const next: Record<string, string> = {
        shadow: 'se volverá a puntuar el corte vigente con ella en sombra; lea los informes con model report',
        approve: `siga con: npm run san -- model promote ${r.version} --reason "…"`,
        promote: 'se volverá a puntuar el corte vigente con ella',
      };
      write(`${r.version}: ${r.stateLabel} — ${lastChange(r)}\n${next[sub]}`);
      return;
    }
    case 'rollback': {
      const usage = 'uso: npm run san -- model rollback --api <url> [--token <jwt>] --reason "…"';
      const flags = parseFlags(
        args,
        { ...COMMON, reason: REASON },
        common.extend({ reason: zod.string().trim().min(5, 'el motivo debe tener al menos 5 caracteres') }),
        usage,
      );
      none(usage);
      const r = await call(flags.api, tokenOf(flags), 'POST', '/v1/models/rollback', modelRecordSchema, {
        reason: flags.reason,
      });
      write(
        `${r.version}: ${r.stateLabel} otra vez — ${lastChange(r)}\nse volverá a puntuar el corte vigente con ella`,
      );
      return;
    }
    case 'report': {
      const usage =
        'uso: npm run san -- model report <comuna> <aaaa-mm> --api <url> [--token <jwt>] [--version <versión>]';
      const flags = parseFlags(
        args,
        {
          ...COMMON,
          version: {
            type: 'string',
            value: 'versión',
            description: 'la versión (por omisión, la en sombra)',
          },
        },
        common.extend({ version: zod.string().optional() }),
        usage,
      );
      const [comuna, cut, ...extra] = given;
      if (!comuna || !cut || extra.length > 0) throw new UsageError(usage);
      const path =
        getShadowReportRoute.path
          .replace('{comuna}', encodeURIComponent(comuna))
          .replace('{cut}', encodeURIComponent(cut)) +
        (flags.version ? `?version=${encodeURIComponent(flags.version)}` : '');
      const r = await call(
        flags.api,
        tokenOf(flags),
        'GET',
        path,
        getShadowReportRoute.responses[200].schema,
      );
      write(
        [
          `informe en sombra: ${r.comuna.name ?? r.comuna.code} (${r.comuna.code}), corte ${r.cut}`,
          `  desplegada ${r.deployedVersion} · en sombra ${r.shadowVersion} · ${r.children} niños, capacidad ${r.capacity}`,
          `  ${r.message}`,
          `  veintiles: ${r.ventileShifts.same} igual, ${r.ventileShifts.up} suben, ${r.ventileShifts.down} bajan (cambio medio ${r.ventileShifts.meanAbsoluteShift})`,
          `  motivos: de ${r.reasons.comparedChildren} seleccionados por ambos, ${r.reasons.sameFirstReason} con el mismo primer motivo`,
          `  resultados conocidos: ${r.outcomes.message}`,
        ].join('\n'),
      );
      return;
    }
    default:
      throw new UsageError(`subcomando desconocido "${sub}"\n\n${MODEL_USAGE}`);
  }
}

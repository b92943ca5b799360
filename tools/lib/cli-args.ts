/**
 * Command-line flags for the project's tools, validated with zod so that a bad flag is answered
 * with what is wrong and which flags exist, never with a stack trace. What the user reads (the
 * problems, the help text) is Spanish: zod's own messages through its Spanish locale, given per
 * parse so that no other schema of the process changes language, and Node's parser's messages
 * rewritten from their error codes.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type FlagSpec = Record<
  string,
  {
    type: 'string' | 'boolean';
    short?: string;
    description: string;
    /** What the value is, as the help text and a missing flag name it (default `valor`). */
    value?: string;
  }
>;

/** zod's own messages in Spanish, for the problems a schema gives no message of its own. */
const SPANISH = z.locales.es().localeError;

export function parseFlags<S extends z.ZodType>(
  argv: readonly string[],
  spec: FlagSpec,
  schema: S,
  usage: string,
): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: { ...spec, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values;
  } catch (error) {
    throw new UsageError(`${parseArgsProblem(error)}\n\n${helpText(spec, usage)}`);
  }
  if (values.help) {
    process.stdout.write(`${helpText(spec, usage)}\n`);
    process.exit(0);
  }
  const result = schema.safeParse(values, { error: SPANISH });
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => {
        const name = String(i.path[0] ?? '');
        // An absent flag is named with what it takes, rather than as a value of the wrong type.
        if (i.path.length === 1 && values[name] === undefined && spec[name]) {
          return `  falta --${name}${placeholder(spec[name])}`;
        }
        return `  --${i.path.join('.')}: ${i.message}`;
      })
      .join('\n');
    throw new UsageError(`opciones inválidas:\n${problems}\n\n${helpText(spec, usage)}`);
  }
  return result.data;
}

function placeholder(s: FlagSpec[string]): string {
  return s.type === 'string' ? ` <${s.value ?? 'valor'}>` : '';
}

/** Node's `parseArgs` refusal, said in Spanish from its error code (its message is English). */
function parseArgsProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const quoted = /'([^']*)'/.exec(message ?? '')?.[1] ?? '';
  const option = quoted.replace(/ <value>$/, '');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `opción desconocida ${option}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return message?.includes('argument missing') ? `falta el valor de ${option}` : `${option} no lleva valor`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return `argumento inesperado "${option}": este comando solo acepta opciones (--nombre valor)`;
  }
  return `opciones inválidas: ${message ?? String(error)}`;
}

function helpText(spec: FlagSpec, usage: string): string {
  const lines = Object.entries(spec).map(
    ([name, s]) => `  --${name}${placeholder(s)}`.padEnd(28) + s.description,
  );
  return `${usage}\n\nOpciones:\n${lines.join('\n')}\n  --help                    esta ayuda`;
}

/** Runs a tool's main function, printing UsageError and other errors without a stack trace. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.SAN_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}

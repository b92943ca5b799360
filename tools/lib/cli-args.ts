/**
 * Command-line flags for the project's tools, validated with zod so that a bad flag is answered
 * with what is wrong and which flags exist, never with a stack trace.
 */
import { parseArgs } from 'node:util';
import type { z } from 'zod';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; description: string }>;

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
    throw new UsageError(`${(error as Error).message}\n\n${helpText(spec, usage)}`);
  }
  if (values.help) {
    process.stdout.write(`${helpText(spec, usage)}\n`);
    process.exit(0);
  }
  const result = schema.safeParse(values);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    throw new UsageError(`invalid flags:\n${problems}\n\n${helpText(spec, usage)}`);
  }
  return result.data;
}

function helpText(spec: FlagSpec, usage: string): string {
  const lines = Object.entries(spec).map(
    ([name, s]) => `  --${name}${s.type === 'string' ? ' <value>' : ''}`.padEnd(28) + s.description,
  );
  return `${usage}\n\nFlags:\n${lines.join('\n')}\n  --help                    this text`;
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

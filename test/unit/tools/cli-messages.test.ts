/** What the data team's CLI says when a flag is wrong or the API or S3 cannot be reached: Spanish. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { causeCode, explainS3Failure, unreachable } from '../../../tools/cli/failures';
import { parseFlags, UsageError } from '../../../tools/lib/cli-args';

const spec = {
  dir: { type: 'string', value: 'carpeta', description: 'carpeta del corte' },
  watch: { type: 'boolean', description: 'seguir' },
} as const;
const schema = z.object({ dir: z.string().min(3), watch: z.boolean().optional() });
const usage = 'uso: prueba --dir <carpeta>';

function problemOf(argv: string[]): string {
  try {
    parseFlags(argv, spec, schema, usage);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('parseFlags accepted the flags');
}

describe('parseFlags', () => {
  it('names a missing flag with what it takes, and lists the flags in Spanish', () => {
    const message = problemOf([]);
    expect(message).toContain('falta --dir <carpeta>');
    expect(message).toContain('Opciones:\n  --dir <carpeta>');
    expect(message).toContain('esta ayuda');
    expect(message).not.toMatch(/Invalid input|expected/);
  });

  it("says zod's own problems in Spanish, without changing zod's language elsewhere", () => {
    expect(problemOf(['--dir', 'ab'])).toMatch(/--dir: Demasiado pequeño/);
    expect(z.string().min(3).safeParse('ab').error?.issues[0]?.message).toMatch(/Too small/);
  });

  it("says Node's parser's refusals in Spanish", () => {
    expect(problemOf(['--frobnicate'])).toContain('opción desconocida --frobnicate');
    expect(problemOf(['--dir'])).toContain('falta el valor de --dir');
    expect(problemOf(['--watch=yes', '--dir', 'abc'])).toContain('--watch no lleva valor');
    expect(problemOf(['suelto'])).toContain('argumento inesperado "suelto"');
  });
});

describe('unreachable', () => {
  it("names the URL and the cause's code, found on fetch's cause or an AggregateError", () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3001'), { code: 'ECONNREFUSED' }),
    });
    expect(unreachable('http://127.0.0.1:3001', refused)).toBe(
      'no se pudo conectar con http://127.0.0.1:3001 (ECONNREFUSED): nada escucha en esa dirección; revise la URL y que el servicio esté en marcha',
    );
    const both = new TypeError('fetch failed', {
      cause: new AggregateError([Object.assign(new Error('x'), { code: 'ENOTFOUND' })]),
    });
    expect(causeCode(both)).toBe('ENOTFOUND');
    expect(unreachable('https://api.example', new TypeError('fetch failed'))).toBe(
      'no se pudo conectar con https://api.example: la conexión falló',
    );
  });
});

describe('explainS3Failure', () => {
  const target = { bucket: 'san-raw' };
  const message = (error: unknown): string => (explainS3Failure(error, target) as Error).message;

  it('says what to set when the region or the credentials are missing', () => {
    expect(message(new Error('Region is missing'))).toMatch(/^falta la región de AWS: defina AWS_REGION/);
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(message(noCredentials)).toMatch(/^no se encontraron credenciales de AWS/);
  });

  it("names the bucket S3 does not know or refuses, and keeps S3's code", () => {
    const missing = Object.assign(new Error('The specified bucket does not exist'), {
      name: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
    expect(message(missing)).toMatch(/^el bucket san-raw no existe/);
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(message(denied)).toMatch(/^S3 negó el acceso a s3:\/\/san-raw\/ \(AccessDenied\)/);
    const other = Object.assign(new Error('slow down'), {
      name: 'SlowDown',
      $metadata: { httpStatusCode: 503 },
    });
    expect(message(other)).toBe('S3 rechazó la operación en s3://san-raw/ (SlowDown, HTTP 503): slow down');
  });

  it('says an unreachable endpoint as such, and leaves the CLI own errors as they are', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4569'), { code: 'ECONNREFUSED' });
    expect(
      (explainS3Failure(refused, { ...target, endpoint: 'http://127.0.0.1:4569' }) as Error).message,
    ).toMatch(/^no se pudo conectar con http:\/\/127\.0\.0\.1:4569 \(ECONNREFUSED\)/);
    const own = new UsageError('la carpeta x no tiene extractos');
    expect(explainS3Failure(own, target)).toBe(own);
  });
});

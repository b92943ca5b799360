/**
 * `npm run openapi`: writes `docs/openapi.json`, the OpenAPI document generated from the route
 * tables. The committed document is the contract client apps are built against, so a change that
 * would break them (see `breaking-changes.ts`) is refused unless `--allow-breaking` says it is meant.
 * It also writes `docs/alert-message.schema.json`, the JSON Schema of the alerts queue's message,
 * for institutions that write to the queue directly.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { alertMessageSchema } from '../../functions/alerts/domain/alert';
import { API_ROUTES } from '../../functions/openapi/api/api-routes';
import { buildOpenApiDocument } from '../../functions/openapi/domain/document';
import { parseFlags, runMain } from '../lib/cli-args';
import { breakingChanges } from './breaking-changes';

/** Where the committed document lives. */
export const DOCUMENT_PATH = resolve(import.meta.dirname, '..', '..', 'docs', 'openapi.json');

/** Where the committed JSON Schema of the alerts queue's message lives. */
export const MESSAGE_SCHEMA_PATH = resolve(
  import.meta.dirname,
  '..',
  '..',
  'docs',
  'alert-message.schema.json',
);

/**
 * The alerts queue's message as JSON Schema (what a sender writes: dates in either format). The
 * checks a schema cannot say (a RUN's check digit, a comuna of SAN, no RUN in the description, a
 * RUN or else names and an age) are in the description; the consumer applies them all.
 */
export function messageSchemaText(): string {
  const schema = z.toJSONSchema(
    alertMessageSchema.meta({
      title: 'Mensaje de alerta de SAN (cola de alertas)',
      description:
        'Un mensaje por alerta. `alertId`: un UUID que elige quien envía (el mismo id enviado dos veces es una alerta). `comuna`: código CUT de una comuna con OLN en SAN. `child`: el RUN (con dígito verificador válido) o, si no se conoce, `givenNames`, `paternalSurname` y `birthDate` o `approximateAge` (no ambas). `description` no lleva RUN. Fechas aaaa-mm-dd o dd-mm-aaaa, no futuras.',
    }),
    { io: 'input', unrepresentable: 'any' },
  );
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** The document as it is written to `docs/openapi.json`. */
export function documentText(): string {
  return `${JSON.stringify(buildOpenApiDocument(API_ROUTES), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  runMain(async () => {
    const flags = parseFlags(
      process.argv.slice(2),
      {
        'allow-breaking': {
          type: 'boolean',
          description: 'write it even if it breaks clients of the committed one',
        },
      },
      z.object({ 'allow-breaking': z.boolean().default(false) }),
      'usage: npm run openapi -- [--allow-breaking]',
    );
    const text = documentText();
    if (existsSync(DOCUMENT_PATH)) {
      const problems = breakingChanges(JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')), JSON.parse(text));
      if (problems.length > 0) {
        process.stderr.write(
          `changes that break clients of docs/openapi.json:\n  ${problems.join('\n  ')}\n`,
        );
        if (!flags['allow-breaking']) {
          process.stderr.write(
            'not written; pass --allow-breaking if they are meant (and raise API_VERSION)\n',
          );
          process.exitCode = 1;
          return;
        }
      }
    }
    writeFileSync(DOCUMENT_PATH, text);
    writeFileSync(MESSAGE_SCHEMA_PATH, messageSchemaText());
    process.stdout.write(`wrote ${DOCUMENT_PATH} and ${MESSAGE_SCHEMA_PATH}\n`);
  });
}

/**
 * `npm run openapi`: writes `docs/openapi.json`, the OpenAPI document generated from the route
 * tables. The committed document is the contract client apps are built against, so a change that
 * would break them (see `breaking-changes.ts`) is refused unless `--allow-breaking` says it is meant.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { API_ROUTES } from '../../functions/openapi/api/api-routes';
import { buildOpenApiDocument } from '../../functions/openapi/domain/document';
import { parseFlags, runMain } from '../lib/cli-args';
import { breakingChanges } from './breaking-changes';

/** Where the committed document lives. */
export const DOCUMENT_PATH = resolve(import.meta.dirname, '..', '..', 'docs', 'openapi.json');

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
    process.stdout.write(`wrote ${DOCUMENT_PATH}\n`);
  });
}

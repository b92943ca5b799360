import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { s3Client, traceClientsWith } from '../../../functions/shared/adapters/aws-clients';

const root = join(import.meta.dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('tracing only in the Lambda entries', () => {
  it('is imported by no module but the functions’ index.ts, so the local runtime never loads the X-Ray SDK', () => {
    const importers = sources(join(root, 'functions'))
      .filter((f) => /from '[./]+shared\/adapters\/tracing'|from '\.\/tracing'/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(importers.length).toBeGreaterThan(10);
    expect(importers.filter((f) => !f.endsWith('/index.ts'))).toEqual([]);
  });

  it('wraps every client built once a wrapper is registered', () => {
    const seen: unknown[] = [];
    traceClientsWith((client) => {
      seen.push(client);
      return client;
    });
    try {
      const client = s3Client({
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1/tracing-test',
        S3_FORCE_PATH_STYLE: 'true',
      });
      expect(seen).toEqual([client]);
    } finally {
      traceClientsWith((client) => client);
    }
  });
});

/** Loads JSON event fixtures and builds a Lambda context for handler unit tests. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Context } from 'aws-lambda';

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'events', name), 'utf8')) as T;
}

export const context: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '512',
  awsRequestId: 'req-test',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** A pseudonymisation key file in a temporary folder; returns `file:<path>`. */
export function keyFileSource(hex = 'cd'.repeat(32)): string {
  const dir = mkdtempSync(join(tmpdir(), 'san-key-'));
  const path = join(dir, 'pseudonym.key');
  writeFileSync(path, hex);
  return `file:${path}`;
}

/**
 * A cut manifest declaring each file as uploaded. `rows` defaults to the file's non-empty lines
 * after the header (right for files without quoted line breaks).
 */
export function manifestOf(
  cut: string,
  files: readonly { name: string; bytes: Buffer; rows?: number }[],
): { cut: string; files: { name: string; source: string; rows: number; bytes: number; sha256: string }[] } {
  return {
    cut,
    files: files.map((f) => ({
      name: f.name,
      source: f.name.replace(/\.csv(\.gz)?$/, ''),
      rows:
        f.rows ??
        (f.bytes[0] === 0x1f && f.bytes[1] === 0x8b ? gunzipSync(f.bytes) : f.bytes)
          .toString('latin1')
          .split('\n')
          .slice(1)
          .filter((l) => l !== '' && l !== '\r').length,
      bytes: f.bytes.length,
      sha256: createHash('sha256').update(f.bytes).digest('hex'),
    })),
  };
}

/** Loads JSON event fixtures and builds a Lambda context for handler unit tests. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Builds the stack once per test file, the way `infra/app.ts` does, for assertions and nag checks. */
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { SanStack } from '../../infra/san-stack';
import { system } from '../../infra/system';

export function buildStack(context: Record<string, unknown> = {}): { app: App; stack: SanStack } {
  const app = new App({ outdir: undefined, context });
  const stack = new SanStack(app, 'SanStack', { system, root: resolve(import.meta.dirname, '..', '..') });
  return { app, stack };
}

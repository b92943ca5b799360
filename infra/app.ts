/** CDK app entry: `npx cdk synth` / `npx cdk deploy`. */
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addNagChecks } from './nag';
import { SanStack } from './san-stack';
import { system } from './system';

const app = new App();
new SanStack(app, 'SanStack', {
  system,
  root: resolve(import.meta.dirname, '..'),
  description: 'Sistema de Alerta Niñez: ingest, scoring, alerts and roster API',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
addNagChecks(app);

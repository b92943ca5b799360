/**
 * The checks of the system definition: the real one passes, and a definition broken on purpose
 * fails each rule with a problem that names what is wrong. The CDK stack refuses a broken one.
 */
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { openApiRoute } from '../../../functions/openapi/api/routes';
import type { HttpMethod } from '../../../functions/shared/api/route';
import { envReference, UnknownEnvValueError } from '../../../infra/env-value';
import { SanStack } from '../../../infra/san-stack';
import type { EnvValue, FunctionDef, FunctionId, SystemDef } from '../../../infra/system';
import { system } from '../../../infra/system';
import {
  assertValidSystem,
  concurrencyInRange,
  environmentGranted,
  referencesDeclared,
  routesUnique,
  SystemDefinitionError,
  validateSystem,
  visibilityCoversConsumers,
} from '../../../infra/validate-system';

/** A route of the table at another method and path. */
const routeAt = (method: HttpMethod, path: string) => ({ ...openApiRoute, method, path });

/** The real definition with one function changed. */
function withFunction(id: FunctionId, change: (fn: FunctionDef) => Partial<FunctionDef>): SystemDef {
  const fn = system.functions[id];
  return { ...system, functions: { ...system.functions, [id]: { ...fn, ...change(fn) } } };
}

const env = (fn: FunctionDef, extra: Record<string, unknown>): Record<string, EnvValue> => ({
  ...fn.environment,
  ...(extra as Record<string, EnvValue>),
});

describe('validateSystem', () => {
  it('accepts the system definition as it is', () => {
    expect(validateSystem(system)).toEqual([]);
    expect(() => assertValidSystem(system)).not.toThrow();
  });

  describe('queue visibility against the consumer timeout', () => {
    it('accepts a visibility timeout equal to the consumer timeout', () => {
      const broken = withFunction('alertsConsumer', () => ({ timeoutSeconds: 180 }));
      expect(visibilityCoversConsumers(broken)).toEqual([]);
    });

    it('refuses a consumer that may run longer than its queue hides a message', () => {
      const broken = withFunction('alertsConsumer', () => ({ timeoutSeconds: 181 }));
      expect(visibilityCoversConsumers(broken)).toEqual([
        'queue alerts: visibility timeout 180 s is shorter than the timeout of its consumer alertsConsumer (181 s)',
      ]);
    });
  });

  it("refuses an SQS trigger's concurrency the cloud does not take (2 to 1,000)", () => {
    const at = (maxConcurrency: number) =>
      withFunction('alertsConsumer', () => ({
        triggers: [
          { type: 'sqs', queue: 'alerts', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency },
        ],
      }));
    expect(concurrencyInRange(at(2))).toEqual([]);
    expect(concurrencyInRange(at(1))).toEqual([
      "function alertsConsumer: its SQS trigger's maxConcurrency 1 is not between 2 and 1000",
    ]);
    expect(concurrencyInRange(at(1001))).toHaveLength(1);
  });

  describe('environment references declared', () => {
    it('refuses a reference to a table the system does not declare', () => {
      const broken = withFunction('rosterApi', (fn) => ({
        environment: env(fn, { AGENDA_TABLE: { table: 'agenda' } }),
        access: { tables: { ...fn.access.tables, agenda: 'read' } as never },
      }));
      expect(referencesDeclared(broken)).toContain(
        'function rosterApi: environment AGENDA_TABLE names table agenda, which the system does not declare',
      );
    });

    it('refuses an environment value of a kind no runtime knows, instead of taking it for the secret', () => {
      const broken = withFunction('rosterApi', (fn) => ({
        environment: env(fn, { SIGNING_KEY: { parameter: 'signingKey' } }),
      }));
      const problems = referencesDeclared(broken);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('function rosterApi, SIGNING_KEY: {"parameter":"signingKey"} is no kind');
    });

    it('refuses a trigger on a queue that is not declared', () => {
      const broken = withFunction('alertsConsumer', () => ({
        triggers: [{ type: 'sqs', queue: 'cases' as never, batchSize: 1, maxBatchingWindowSeconds: 0 }],
      }));
      expect(referencesDeclared(broken)).toEqual([
        'function alertsConsumer: its SQS trigger names queue cases, which the system does not declare',
      ]);
    });
  });

  describe('environment references granted', () => {
    it('refuses a bucket the function may not use', () => {
      const broken = withFunction('rosterApi', (fn) => ({
        environment: env(fn, { RAW_BUCKET: { bucket: 'raw' } }),
      }));
      expect(environmentGranted(broken)).toEqual([
        'function rosterApi: environment RAW_BUCKET refers to it, but no access to bucket raw',
      ]);
    });

    it('refuses a table, a queue and the secret without their grants', () => {
      const broken = withFunction('alertsIntake', () => ({ access: {} }));
      expect([...environmentGranted(broken)].sort()).toEqual([
        'function alertsIntake: environment ALERTS_QUEUE_URL refers to it, but no access to queue alerts',
        'function alertsIntake: environment IDEMPOTENCY_TABLE refers to it, but no access to table idempotency',
        'function alertsIntake: environment PSEUDONYM_KEY_SOURCE refers to it, but no access to secret pseudonymKey',
      ]);
    });

    it('refuses a layer file whose layer is not attached', () => {
      const broken = withFunction('score', () => ({ layers: ['onnxruntime'] }));
      expect(environmentGranted(broken)).toEqual([
        'function score: environment MODEL_PATH refers to it, but layer model is not attached to it',
      ]);
    });
  });

  describe('unique routes', () => {
    it('refuses two functions serving the same method and path, whatever the parameters are called', () => {
      const broken = withFunction('qualityApi', () => ({
        triggers: [{ type: 'http', routes: [routeAt('GET', '/v1/comunas/{x}/roster')] }],
      }));
      expect(routesUnique(broken)).toEqual([
        'route GET /v1/comunas/{x}/roster of qualityApi is also served by rosterApi (GET /v1/comunas/{comuna}/roster)',
      ]);
    });

    it('accepts the same path under another method', () => {
      const other = withFunction('qualityApi', () => ({
        triggers: [{ type: 'http', routes: [routeAt('POST', '/v1/comunas/{comuna}/roster')] }],
      }));
      expect(routesUnique(other)).toEqual([]);
    });
  });

  it('names every problem at once in the error', () => {
    const broken = withFunction('alertsConsumer', () => ({ timeoutSeconds: 600, access: {} }));
    let error: unknown;
    try {
      assertValidSystem(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SystemDefinitionError);
    // The queue's visibility timeout, and every resource its environment names without access.
    const references = Object.values(system.functions.alertsConsumer.environment).filter(
      (v) => typeof v !== 'string',
    );
    expect((error as SystemDefinitionError).problems).toHaveLength(1 + references.length);
    expect((error as Error).message).toMatch(
      /^the system definition \(infra\/system\.ts\) is not valid:\n {2}- queue alerts/,
    );
  });
});

describe('envReference', () => {
  it('classifies every kind the definition uses', () => {
    expect(envReference('x')).toEqual({ kind: 'literal', value: 'x' });
    expect(envReference({ bucket: 'raw' })).toEqual({ kind: 'bucket', id: 'raw' });
    expect(envReference({ layerFile: 'model', file: 'm.onnx' })).toEqual({
      kind: 'layerFile',
      id: 'model',
      file: 'm.onnx',
    });
    expect(envReference({ secret: 'pseudonymKey' })).toEqual({ kind: 'secret', id: 'pseudonymKey' });
  });

  it('refuses an unknown kind and an unknown secret by name', () => {
    expect(() => envReference({ parameter: 'p' } as never, 'function f, P')).toThrow(UnknownEnvValueError);
    expect(() => envReference({ parameter: 'p' } as never, 'function f, P')).toThrow('function f, P:');
    expect(() => envReference({ secret: 'apiKey' } as never)).toThrow(UnknownEnvValueError);
  });
});

describe('SanStack', () => {
  it('refuses to synthesise an invalid system', () => {
    const broken = withFunction('score', () => ({ timeoutSeconds: 3600 }));
    expect(() => new SanStack(new App(), 'SanStack', { system: broken, root: resolve('.') })).toThrow(
      SystemDefinitionError,
    );
  });
});

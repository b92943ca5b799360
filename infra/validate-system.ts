/**
 * Checks of the system definition that its types cannot express, run by a unit test, at local start
 * and at CDK synth: a definition that fails one is refused with every problem named, before a
 * queue redelivers messages still being processed or a function meets AccessDenied in the cloud.
 *
 * - every queue's visibility timeout is at least the timeout of each function it triggers;
 * - every resource an environment value, a trigger or a grant names is declared, and every
 *   environment reference is granted (a layer file's layer is attached to the function);
 * - no two routes share a method and path (path parameters compared by position, not name).
 */
import { envReference, UnknownEnvValueError, unhandledEnvReference } from './env-value';
import type { FunctionDef, SystemDef } from './system';
import { entriesOf } from './system';

export class SystemDefinitionError extends Error {
  override readonly name = 'SystemDefinitionError';
  constructor(readonly problems: readonly string[]) {
    super(
      `the system definition (infra/system.ts) is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

type Rule = (system: SystemDef) => string[];

/** A queue must hide a message for as long as its consumer may take, or it is delivered twice. */
export const visibilityCoversConsumers: Rule = (system) => {
  const problems: string[] = [];
  for (const [id, fn] of entriesOf(system.functions)) {
    for (const trigger of fn.triggers) {
      if (trigger.type !== 'sqs') continue;
      const queue = system.queues[trigger.queue];
      if (!queue) continue; // named by `referencesDeclared`
      if (queue.visibilityTimeoutSeconds < fn.timeoutSeconds) {
        problems.push(
          `queue ${trigger.queue}: visibility timeout ${queue.visibilityTimeoutSeconds} s is shorter than the ` +
            `timeout of its consumer ${id} (${fn.timeoutSeconds} s)`,
        );
      }
    }
  }
  return problems;
};

function declared(
  system: SystemDef,
  kind: 'buckets' | 'tables' | 'queues' | 'topics' | 'layers' | 'secrets',
  id: string,
): boolean {
  return Object.hasOwn(system[kind], id);
}

/** Everything a function names exists in the definition. */
export const referencesDeclared: Rule = (system) => {
  const problems: string[] = [];
  for (const [id, fn] of entriesOf(system.functions)) {
    const check = (
      kind: 'buckets' | 'tables' | 'queues' | 'topics' | 'layers' | 'secrets',
      name: string,
      what: string,
    ): void => {
      if (!declared(system, kind, name))
        problems.push(
          `function ${id}: ${what} names ${kind.slice(0, -1)} ${name}, which the system does not declare`,
        );
    };
    for (const layer of fn.layers) check('layers', layer, 'its layers');
    for (const trigger of fn.triggers) {
      if (trigger.type === 's3') check('buckets', trigger.bucket, 'its S3 trigger');
      if (trigger.type === 'sqs') check('queues', trigger.queue, 'its SQS trigger');
    }
    for (const bucket of Object.keys(fn.access.buckets ?? {})) check('buckets', bucket, 'its access');
    for (const table of Object.keys(fn.access.tables ?? {})) check('tables', table, 'its access');
    for (const queue of Object.keys(fn.access.queues ?? {})) check('queues', queue, 'its access');
    for (const topic of Object.keys(fn.access.topics ?? {})) check('topics', topic, 'its access');
    for (const queue of Object.keys(fn.access.deadLetterQueues ?? {})) check('queues', queue, 'its access');
    for (const secret of fn.access.secrets ?? []) check('secrets', secret, 'its access');
    for (const [name, value] of Object.entries(fn.environment)) {
      let ref: ReturnType<typeof envReference>;
      try {
        ref = envReference(value, `function ${id}, ${name}`);
      } catch (error) {
        if (error instanceof UnknownEnvValueError) {
          problems.push(error.message);
          continue;
        }
        throw error;
      }
      const what = `environment ${name}`;
      if (ref.kind === 'bucket') check('buckets', ref.id, what);
      else if (ref.kind === 'table') check('tables', ref.id, what);
      else if (ref.kind === 'queue') check('queues', ref.id, what);
      else if (ref.kind === 'deadLetterQueue') check('queues', ref.id, what);
      else if (ref.kind === 'topic') check('topics', ref.id, what);
      else if (ref.kind === 'layerFile') check('layers', ref.id, what);
      else if (ref.kind === 'secret') check('secrets', ref.id, what);
    }
  }
  return problems;
};

/** Why `fn` could not use the resource an environment value names, or undefined if it can. */
function ungranted(fn: FunctionDef, ref: ReturnType<typeof envReference>): string | undefined {
  switch (ref.kind) {
    case 'literal':
      return undefined;
    case 'bucket':
      return fn.access.buckets?.[ref.id] ? undefined : `no access to bucket ${ref.id}`;
    case 'table':
      return fn.access.tables?.[ref.id] ? undefined : `no access to table ${ref.id}`;
    case 'queue':
      return fn.access.queues?.[ref.id] ? undefined : `no access to queue ${ref.id}`;
    case 'deadLetterQueue':
      return fn.access.deadLetterQueues?.[ref.id]
        ? undefined
        : `no access to the dead-letter queue of ${ref.id}`;
    case 'topic':
      return fn.access.topics?.[ref.id] ? undefined : `no access to topic ${ref.id}`;
    case 'layerFile':
      return fn.layers.includes(ref.id) ? undefined : `layer ${ref.id} is not attached to it`;
    case 'secret':
      return (fn.access.secrets ?? []).includes(ref.id) ? undefined : `no access to secret ${ref.id}`;
    default:
      return unhandledEnvReference(ref);
  }
}

/** A function holds the permission on every resource its environment points it to. */
export const environmentGranted: Rule = (system) => {
  const problems: string[] = [];
  for (const [id, fn] of entriesOf(system.functions)) {
    for (const [name, value] of Object.entries(fn.environment)) {
      let ref: ReturnType<typeof envReference>;
      try {
        ref = envReference(value);
      } catch {
        continue; // named by `referencesDeclared`
      }
      const problem = ungranted(fn, ref);
      if (problem) problems.push(`function ${id}: environment ${name} refers to it, but ${problem}`);
    }
  }
  return problems;
};

/** API Gateway and the local gateway route by method and path shape: each must be served once. */
export const routesUnique: Rule = (system) => {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [id, fn] of entriesOf(system.functions)) {
    for (const trigger of fn.triggers) {
      if (trigger.type !== 'http') continue;
      for (const route of trigger.routes) {
        const shape = `${route.method} ${route.path.replace(/\{[^}]*\}/g, '{}')}`;
        const first = seen.get(shape);
        if (first) problems.push(`route ${route.method} ${route.path} of ${id} is also served by ${first}`);
        else seen.set(shape, `${id} (${route.method} ${route.path})`);
      }
    }
  }
  return problems;
};

/** An SQS event source's maximum concurrency is 2 to 1,000 batches at once in the cloud. */
export const concurrencyInRange: Rule = (system) =>
  entriesOf(system.functions).flatMap(([id, fn]) =>
    fn.triggers.flatMap((t) =>
      t.type === 'sqs' && t.maxConcurrency !== undefined && (t.maxConcurrency < 2 || t.maxConcurrency > 1000)
        ? [`function ${id}: its SQS trigger's maxConcurrency ${t.maxConcurrency} is not between 2 and 1000`]
        : [],
    ),
  );

export const SYSTEM_RULES: readonly Rule[] = [
  concurrencyInRange,
  visibilityCoversConsumers,
  referencesDeclared,
  environmentGranted,
  routesUnique,
];

/** Every problem of the definition, in the order of the rules; empty when it is valid. */
export function validateSystem(system: SystemDef): string[] {
  return SYSTEM_RULES.flatMap((rule) => rule(system));
}

/** Throws SystemDefinitionError naming every problem of the definition. */
export function assertValidSystem(system: SystemDef): void {
  const problems = validateSystem(system);
  if (problems.length > 0) throw new SystemDefinitionError(problems);
}

/**
 * What an environment value of the system definition refers to. The CDK stack and the local
 * runtime resolve references to names of their own; both switch on this one classification, so a
 * new kind of value is refused by name in both rather than taken for the pseudonym-key secret.
 */
import type { BucketId, EnvValue, LayerId, QueueId, SystemDef, TableId, TopicId } from './system';

export type SecretId = keyof SystemDef['secrets'];

export type EnvReference =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'bucket'; readonly id: BucketId }
  | { readonly kind: 'table'; readonly id: TableId }
  | { readonly kind: 'queue'; readonly id: QueueId }
  | { readonly kind: 'deadLetterQueue'; readonly id: QueueId }
  | { readonly kind: 'topic'; readonly id: TopicId }
  | { readonly kind: 'layerFile'; readonly id: LayerId; readonly file: string }
  | { readonly kind: 'secret'; readonly id: SecretId };

export class UnknownEnvValueError extends Error {
  override readonly name = 'UnknownEnvValueError';
}

const SECRETS: readonly SecretId[] = ['pseudonymKey'];

/** Classifies `value`; throws UnknownEnvValueError for a shape no runtime knows how to resolve. */
export function envReference(value: EnvValue, where = 'an environment value'): EnvReference {
  if (typeof value === 'string') return { kind: 'literal', value };
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v).sort().join(',');
  if (keys === 'bucket' && typeof v.bucket === 'string') return { kind: 'bucket', id: v.bucket as BucketId };
  if (keys === 'table' && typeof v.table === 'string') return { kind: 'table', id: v.table as TableId };
  if (keys === 'queue' && typeof v.queue === 'string') return { kind: 'queue', id: v.queue as QueueId };
  if (keys === 'deadLetterQueue' && typeof v.deadLetterQueue === 'string')
    return { kind: 'deadLetterQueue', id: v.deadLetterQueue as QueueId };
  if (keys === 'topic' && typeof v.topic === 'string') return { kind: 'topic', id: v.topic as TopicId };
  if (keys === 'file,layerFile' && typeof v.layerFile === 'string' && typeof v.file === 'string') {
    return { kind: 'layerFile', id: v.layerFile as LayerId, file: v.file };
  }
  if (keys === 'secret' && SECRETS.includes(v.secret as SecretId))
    return { kind: 'secret', id: v.secret as SecretId };
  throw new UnknownEnvValueError(
    `${where}: ${JSON.stringify(value)} is no kind of environment value this runtime knows ` +
      '(a string, {bucket}, {table}, {queue}, {deadLetterQueue}, {topic}, {layerFile, file} or {secret: "pseudonymKey"})',
  );
}

/** For the `default` of a switch over `EnvReference['kind']`: a kind added without a case. */
export function unhandledEnvReference(reference: never): never {
  throw new UnknownEnvValueError(`no resolver for environment values of kind ${JSON.stringify(reference)}`);
}

/**
 * Where the pseudonymisation key comes from: Secrets Manager in the cloud
 * (`secretsmanager:<arn>`), a key file for the local runtime (`file:<path>`).
 */
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Pseudonymiser } from '../domain/pseudonym';
import { createPseudonymiser } from '../domain/pseudonym';
import { secretsClient } from './aws-clients';
import type { EndpointEnv } from './env';
import { ConfigurationError } from './env';

export async function loadPseudonymKey(source: string, env: EndpointEnv): Promise<string> {
  if (source.startsWith('secretsmanager:')) {
    const secretId = source.slice('secretsmanager:'.length);
    const out = await secretsClient(env).send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString) throw new ConfigurationError(`secret ${secretId} has no string value`);
    return out.SecretString;
  }
  if (source.startsWith('file:')) {
    const path = source.slice('file:'.length);
    try {
      return (await readFile(path, 'utf8')).trim();
    } catch (error) {
      throw new ConfigurationError(
        `cannot read the pseudonymisation key file ${path}: ${(error as Error).message}`,
      );
    }
  }
  throw new ConfigurationError(
    `PSEUDONYM_KEY_SOURCE must start with "secretsmanager:" or "file:", got "${source.slice(0, 40)}"`,
  );
}

/**
 * The pseudonymiser of the key at `source`, loaded on first use and kept for the function's life;
 * a failed load is tried again on the next call rather than kept.
 */
export function lazyPseudonymiser(
  source: string,
  env: EndpointEnv,
  given?: Pseudonymiser,
): () => Promise<Pseudonymiser> {
  let loaded: Promise<Pseudonymiser> | undefined = given ? Promise.resolve(given) : undefined;
  return () => {
    loaded ??= loadPseudonymKey(source, env)
      .then(createPseudonymiser)
      .catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
    return loaded;
  };
}

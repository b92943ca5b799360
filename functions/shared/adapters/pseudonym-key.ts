/**
 * Where the pseudonymisation key comes from: Secrets Manager in the cloud
 * (`secretsmanager:<arn>`), a key file for the local runtime (`file:<path>`).
 */
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
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

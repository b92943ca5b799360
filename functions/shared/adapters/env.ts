/**
 * Environment parsing at cold start: each function declares the variables it needs as a zod schema,
 * and a missing or malformed one stops the function with a message that names the variable.
 */
import { z } from 'zod';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Variables every function may read to reach local stand-ins instead of AWS endpoints. */
export const endpointEnvSchema = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL_S3: z.url().optional(),
  AWS_ENDPOINT_URL_DYNAMODB: z.url().optional(),
  AWS_ENDPOINT_URL_SQS: z.url().optional(),
  AWS_ENDPOINT_URL_SNS: z.url().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
});

export type EndpointEnv = z.infer<typeof endpointEnvSchema>;

/** Parses `env` against `schema`, or throws a ConfigurationError naming each bad variable. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

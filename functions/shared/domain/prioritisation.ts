/**
 * How the model's part of each comuna's roster is ordered: configuration
 * (`functions/shared/config/prioritisation.json`), read by the score function wherever it runs (Lambda bundle and
 * local runtime alike import the same file), and by training, which measures the rule on the test
 * cohort and states the configured default in the model card.
 */
import { z } from 'zod';
import raw from '../config/prioritisation.json';

const configSchema = z
  .object({
    $comment: z.string().optional(),
    /**
     * When true, a scored child without a child-level reason (only household reasons, or none) is
     * not part of the model-prioritised head: it ranks after every child with one.
     */
    requireChildSignal: z.boolean({ error: 'must be true or false' }),
  })
  .strict();

export type PrioritisationConfig = z.infer<typeof configSchema>;

/** Validates a prioritisation configuration; the error names the file and the field. */
export function parsePrioritisation(value: unknown, where: string): PrioritisationConfig {
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The configured prioritisation, validated when the module loads. */
export const PRIORITISATION: PrioritisationConfig = parsePrioritisation(
  raw,
  'functions/shared/config/prioritisation.json',
);

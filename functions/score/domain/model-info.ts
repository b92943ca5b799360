/**
 * What a risk model declares about itself in its ONNX metadata (`san.*` keys), and the port the
 * scoring code runs it through. Training writes these keys; scoring refuses a model without them.
 */
import { z } from 'zod';

export const MODEL_METADATA_KEYS = {
  version: 'san.model_version',
  features: 'san.features',
  ventileCutPoints: 'san.ventile_cut_points',
  trainingDataSha256: 'san.training_data_sha256',
  metrics: 'san.metrics',
  trainedOn: 'san.trained_on',
} as const;

export const modelInfoSchema = z.object({
  version: z.string().min(1),
  features: z.array(z.string().min(1)).min(1),
  ventileCutPoints: z.array(z.number().min(0).max(1)).length(19),
  trainingDataSha256: z.string().regex(/^[0-9a-f]{64}$/),
  metrics: z.record(z.string(), z.number()),
  trainedOn: z.string().min(1),
});

export type ModelInfo = z.infer<typeof modelInfoSchema>;

export interface ModelOutput {
  /** Probability per row. */
  readonly probability: Float32Array;
  /** Row-major rows × features: each feature's contribution to the row's log-odds. */
  readonly contributions: Float32Array;
}

/** Runs the risk model on a row-major batch of `rows` feature vectors. */
export interface ModelRunner {
  readonly info: ModelInfo;
  run(features: Float32Array, rows: number): Promise<ModelOutput>;
}

/** The model file is missing, unreadable or lacks the metadata the scoring code needs. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

/** Reads `san.*` metadata entries into a ModelInfo, naming what is missing or malformed. */
export function parseModelMetadata(entries: ReadonlyMap<string, string>): ModelInfo {
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(MODEL_METADATA_KEYS)) {
    const value = entries.get(key);
    if (value === undefined) throw new ModelLoadError(`the model has no metadata entry "${key}"`);
    try {
      raw[field] =
        field === 'version' || field === 'trainingDataSha256' || field === 'trainedOn'
          ? value
          : JSON.parse(value);
    } catch {
      throw new ModelLoadError(`the model's metadata entry "${key}" is not valid JSON`);
    }
  }
  const parsed = modelInfoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelLoadError(
      `the model's metadata is malformed at ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

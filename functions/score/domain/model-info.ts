/**
 * What a risk model declares about itself in its ONNX metadata (`san.*` keys), and the port the
 * scoring code runs it through. Training writes these keys; scoring refuses a model without them,
 * and one whose declarations contradict each other or the graph they travel with (a version whose
 * hash is not that of the weights, an input width other than the feature list's, ventile cut points
 * out of order), so that weights cannot be swapped under an unchanged version.
 */
import { z } from 'zod';

export const MODEL_METADATA_KEYS = {
  version: 'san.model_version',
  features: 'san.features',
  ventileCutPoints: 'san.ventile_cut_points',
  trainingDataSha256: 'san.training_data_sha256',
  weightsSha256: 'san.weights_sha256',
  metrics: 'san.metrics',
  trainedOn: 'san.trained_on',
} as const;

/**
 * `<kind>-<seed>-<first 8 hex digits of the weights' SHA-256>`, e.g. `logistic-2024-1a2b3c4d`: the
 * version names the weights it was given to, so two different weights cannot share a version.
 */
export const MODEL_VERSION_PATTERN = /^(logistic|gbt)-(\d+)-([0-9a-f]{8})$/;
export const VERSION_HASH_DIGITS = 8;
export const VENTILE_CUT_POINT_COUNT = 19;

export const modelInfoSchema = z.object({
  version: z.string().min(1),
  features: z.array(z.string().min(1)).min(1),
  // Count, range and order are checked by assertModelIntegrity, which names what differs.
  ventileCutPoints: z.array(z.number()),
  trainingDataSha256: z.string().regex(/^[0-9a-f]{64}$/),
  weightsSha256: z.string(),
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
  override readonly name: string = 'ModelLoadError';
}

/** A model's declarations contradict each other or its graph; `check` names which one failed. */
export class ModelIntegrityError extends ModelLoadError {
  override readonly name: string = 'ModelIntegrityError';

  constructor(
    readonly check: string,
    expected: string,
    found: string,
  ) {
    super(`the model fails its ${check} check: expected ${expected}, found ${found}`);
  }
}

/** Reads `san.*` metadata entries into a ModelInfo, naming what is missing or malformed. */
export function parseModelMetadata(entries: ReadonlyMap<string, string>): ModelInfo {
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(MODEL_METADATA_KEYS)) {
    const value = entries.get(key);
    if (value === undefined) throw new ModelIntegrityError('metadata', `an entry "${key}"`, 'none');
    try {
      raw[field] =
        field === 'version' ||
        field === 'trainingDataSha256' ||
        field === 'weightsSha256' ||
        field === 'trainedOn'
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

/** What the loader reads from the graph itself, to hold the metadata to. */
export interface ModelGraphFacts {
  /** SHA-256 (hex) of the graph's weights, computed the way training computes it at export. */
  readonly weightsSha256: string;
  /** Width of the graph's feature input, or undefined when the graph does not fix it. */
  readonly inputWidth: number | undefined;
}

/**
 * Refuses a model whose version is malformed, whose ventile cut points are not 19 ascending
 * probabilities, whose input width is not its feature count, or whose weights are not those its
 * metadata (and its version) name.
 */
export function assertModelIntegrity(info: ModelInfo, graph: ModelGraphFacts): void {
  const version = MODEL_VERSION_PATTERN.exec(info.version);
  if (!version)
    throw new ModelIntegrityError(
      'version format',
      '"<logistic|gbt>-<seed>-<8 hex digits of the weights SHA-256>"',
      `"${info.version}"`,
    );
  const cuts = info.ventileCutPoints;
  if (cuts.length !== VENTILE_CUT_POINT_COUNT)
    throw new ModelIntegrityError(
      'ventile cut points',
      `${VENTILE_CUT_POINT_COUNT} cut points`,
      `${cuts.length}`,
    );
  const outside = cuts.findIndex((c) => !(c >= 0 && c <= 1));
  if (outside >= 0)
    throw new ModelIntegrityError(
      'ventile cut points',
      'probabilities in [0, 1]',
      `${cuts[outside]} at position ${outside}`,
    );
  const unsorted = cuts.findIndex((c, i) => i > 0 && c < (cuts[i - 1] as number));
  if (unsorted >= 0)
    throw new ModelIntegrityError(
      'ventile cut points',
      `ascending cut points (position ${unsorted} at least ${cuts[unsorted - 1]})`,
      `${cuts[unsorted]}`,
    );
  if (graph.inputWidth !== info.features.length)
    throw new ModelIntegrityError(
      'input width',
      `${info.features.length} (the metadata's feature count)`,
      graph.inputWidth === undefined ? 'no fixed width' : `${graph.inputWidth} in the graph's input`,
    );
  if (!/^[0-9a-f]{64}$/.test(info.weightsSha256))
    throw new ModelIntegrityError(
      'weights hash',
      `a SHA-256 in hex in "${MODEL_METADATA_KEYS.weightsSha256}"`,
      `"${info.weightsSha256}"`,
    );
  if (graph.weightsSha256 !== info.weightsSha256)
    throw new ModelIntegrityError(
      'weights hash',
      `weights with SHA-256 ${info.weightsSha256} (metadata)`,
      `${graph.weightsSha256} in the graph`,
    );
  if (version[3] !== graph.weightsSha256.slice(0, VERSION_HASH_DIGITS))
    throw new ModelIntegrityError(
      'version against weights',
      `version ending in ${graph.weightsSha256.slice(0, VERSION_HASH_DIGITS)} (the weights' SHA-256)`,
      `"${info.version}"`,
    );
}

/**
 * ModelRunner on onnxruntime-node (from the Lambda layer in the cloud). Loading first applies the
 * file checks of `model-file.ts` (the `san.*` metadata, the feature catalogue, and a version,
 * weights hash, input width and ventile cut points that hold together), then starts the session.
 */
import { readFile } from 'node:fs/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ModelInfo, ModelOutput, ModelRunner } from '../domain/model-info';
import { ModelLoadError } from '../domain/model-info';
import { inspectModelFile, MODEL_INPUT, MODEL_OUTPUTS } from './model-file';

export { MODEL_INPUT, MODEL_OUTPUTS };

export class OnnxModelRunner implements ModelRunner {
  private constructor(
    readonly info: ModelInfo,
    private readonly session: InferenceSession,
  ) {}

  static async load(path: string): Promise<OnnxModelRunner> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new ModelLoadError(`cannot read the model file ${path}: ${(error as Error).message}`);
    }
    return OnnxModelRunner.fromBytes(bytes);
  }

  static async fromBytes(bytes: Uint8Array): Promise<OnnxModelRunner> {
    const info = inspectModelFile(bytes);
    const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    for (const name of Object.values(MODEL_OUTPUTS)) {
      if (!session.outputNames.includes(name)) throw new ModelLoadError(`the model has no output "${name}"`);
    }
    if (!session.inputNames.includes(MODEL_INPUT))
      throw new ModelLoadError(`the model has no input "${MODEL_INPUT}"`);
    return new OnnxModelRunner(info, session);
  }

  async run(features: Float32Array, rows: number): Promise<ModelOutput> {
    const width = this.info.features.length;
    if (features.length !== rows * width) {
      throw new Error(`batch has ${features.length} values; expected ${rows} × ${width}`);
    }
    const out = await this.session.run({ [MODEL_INPUT]: new Tensor('float32', features, [rows, width]) });
    const probability = out[MODEL_OUTPUTS.probability]?.data;
    const contributions = out[MODEL_OUTPUTS.contributions]?.data;
    if (!(probability instanceof Float32Array) || !(contributions instanceof Float32Array)) {
      throw new Error('the model returned outputs of an unexpected type');
    }
    return { probability, contributions };
  }
}

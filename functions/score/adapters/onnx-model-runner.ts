/**
 * ModelRunner on onnxruntime-node (from the Lambda layer in the cloud). Loading reads the model's
 * `san.*` metadata and refuses a model whose feature list differs from the code's catalogue, or
 * whose version, weights hash, input width or ventile cut points do not hold together
 * (`assertModelIntegrity`).
 */
import { readFile } from 'node:fs/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { assertFeatureContract } from '../domain/features';
import type { ModelInfo, ModelOutput, ModelRunner } from '../domain/model-info';
import { assertModelIntegrity, ModelLoadError, parseModelMetadata } from '../domain/model-info';
import type { OnnxTypes } from './onnx-proto';
import { onnx } from './onnx-proto';
import { graphInputWidth, graphWeightsSha256 } from './onnx-weights';

export const MODEL_INPUT = 'features';
export const MODEL_OUTPUTS = { probability: 'probability', contributions: 'contributions' } as const;

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
    let proto: OnnxTypes.ModelProto;
    try {
      proto = onnx.ModelProto.decode(bytes);
    } catch (error) {
      throw new ModelLoadError(`the model file is not an ONNX model: ${(error as Error).message}`);
    }
    const entries = new Map((proto.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
    const info = parseModelMetadata(entries);
    assertFeatureContract(info.features);
    const graph = proto.graph ?? {};
    assertModelIntegrity(info, {
      weightsSha256: graphWeightsSha256(graph),
      inputWidth: graphInputWidth(graph, MODEL_INPUT),
    });
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

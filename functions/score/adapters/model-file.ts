/**
 * The checks a model file must pass before anything runs it, without starting an inference
 * session: an ONNX model, with the `san.*` metadata, the code's feature list, a version and weights
 * hash that name its graph, an input width equal to the feature count, ascending ventile cut points,
 * and the graph's input and outputs the scorer reads. The scorer applies them at load, and the model
 * registry to every file it is given, so a file the scorer would refuse is never registered.
 */
import { assertFeatureContract } from '../domain/features';
import type { ModelInfo } from '../domain/model-info';
import { assertModelIntegrity, ModelLoadError, parseModelMetadata } from '../domain/model-info';
import type { OnnxTypes } from './onnx-proto';
import { onnx } from './onnx-proto';
import { graphInputWidth, graphWeightsSha256 } from './onnx-weights';

export const MODEL_INPUT = 'features';
export const MODEL_OUTPUTS = { probability: 'probability', contributions: 'contributions' } as const;

/** What a model file declares, once every check holds; throws a ModelLoadError naming the first that fails. */
export function inspectModelFile(bytes: Uint8Array): ModelInfo {
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
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  for (const name of Object.values(MODEL_OUTPUTS)) {
    if (!outputs.has(name)) throw new ModelLoadError(`the model has no output "${name}"`);
  }
  if (!(graph.input ?? []).some((i) => i.name === MODEL_INPUT))
    throw new ModelLoadError(`the model has no input "${MODEL_INPUT}"`);
  return info;
}

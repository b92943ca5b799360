/**
 * The weights hash that ties a model file's metadata and version to its graph. It is the SHA-256 of
 * the ONNX `GraphProto` (nodes with their attributes, initialisers, inputs and outputs) encoded by
 * onnx-proto from the decoded file: everything that decides the outputs, and nothing of the model's
 * metadata, which carries the hash. Boosted trees keep their weights in node attributes, hence the
 * whole graph rather than the initialisers alone. Training computes it at export, the scorer at load,
 * both through this function.
 */
import { createHash } from 'node:crypto';
import type { OnnxTypes } from './onnx-proto';
import { onnx } from './onnx-proto';

/** SHA-256 (hex) of a decoded model's graph. */
export function graphWeightsSha256(graph: OnnxTypes.IGraphProto): string {
  return createHash('sha256').update(onnx.GraphProto.encode(graph).finish()).digest('hex');
}

/** Width of the named [rows, width] graph input, or undefined when the graph does not fix one. */
export function graphInputWidth(graph: OnnxTypes.IGraphProto, input: string): number | undefined {
  const dims = graph.input?.find((i) => i.name === input)?.type?.tensorType?.shape?.dim ?? [];
  const width = dims.length === 2 ? dims[1]?.dimValue : undefined;
  // int64 fields decode to a number or a Long, whose decimal string Number reads either way.
  return width === undefined || width === null ? undefined : Number(String(width));
}

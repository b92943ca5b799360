/** onnx-proto is CommonJS without static named exports; this re-exports its `onnx` namespace for ESM. */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

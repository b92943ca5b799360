/**
 * Exports a logistic model to ONNX: standardise (Sub, Div), per-feature contributions (Mul), the
 * log-odds (Gemm) and the probability (Sigmoid). Outputs `probability` [N,1] and `contributions`
 * [N,F]. Metadata carries the `san.*` keys the scoring function checks at load.
 */
import type { OnnxTypes } from '../../functions/score/adapters/onnx-proto';
import { onnx } from '../../functions/score/adapters/onnx-proto';
import type { ModelInfo } from '../../functions/score/domain/model-info';
import { MODEL_METADATA_KEYS } from '../../functions/score/domain/model-info';
import type { LogisticModel } from './logistic';

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function tensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTypes.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: Array.from(values, (v) => Math.fround(v)) };
}

function valueInfo(name: string, dims: (number | string)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function exportLogisticToOnnx(model: LogisticModel, info: ModelInfo): Uint8Array {
  const width = model.weights.length;
  if (info.features.length !== width) throw new Error('feature names and weights differ in length');
  const graph: OnnxTypes.IGraphProto = {
    name: 'san_risk_logistic',
    input: [valueInfo('features', ['N', width])],
    output: [valueInfo('probability', ['N', 1]), valueInfo('contributions', ['N', width])],
    initializer: [
      tensor('mean', [width], model.means),
      tensor('scale', [width], model.scales),
      tensor('weight_row', [1, width], model.weights),
      tensor('weight_col', [width, 1], model.weights),
      tensor('intercept', [1], [model.intercept]),
    ],
    node: [
      { opType: 'Sub', input: ['features', 'mean'], output: ['centred'], name: 'centre' },
      { opType: 'Div', input: ['centred', 'scale'], output: ['standardised'], name: 'standardise' },
      { opType: 'Mul', input: ['standardised', 'weight_row'], output: ['contributions'], name: 'contribute' },
      {
        opType: 'Gemm',
        input: ['standardised', 'weight_col', 'intercept'],
        output: ['logit'],
        name: 'log_odds',
      },
      { opType: 'Sigmoid', input: ['logit'], output: ['probability'], name: 'probability' },
    ],
  };
  const metadataProps = [
    { key: MODEL_METADATA_KEYS.version, value: info.version },
    { key: MODEL_METADATA_KEYS.features, value: JSON.stringify(info.features) },
    { key: MODEL_METADATA_KEYS.ventileCutPoints, value: JSON.stringify(info.ventileCutPoints) },
    { key: MODEL_METADATA_KEYS.trainingDataSha256, value: info.trainingDataSha256 },
    { key: MODEL_METADATA_KEYS.metrics, value: JSON.stringify(info.metrics) },
    { key: MODEL_METADATA_KEYS.trainedOn, value: info.trainedOn },
  ];
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'san-train',
    producerVersion: '1',
    modelVersion: 1,
    docString: 'Sistema de Alerta Niñez: probability of a rights violation in the next 12 months',
    graph,
    metadataProps,
  });
  return onnx.ModelProto.encode(proto).finish();
}

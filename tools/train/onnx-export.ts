/**
 * Exports the selected risk model to ONNX. Both candidates end in the same head: raw per-feature
 * contributions and raw log-odds, then the Platt scaling fitted on the validation cohort applied to
 * both (`contributions · slope`, `log-odds · slope + intercept`), then a Sigmoid. Outputs
 * `probability` [N,1] and `contributions` [N,F]; metadata carries the `san.*` keys the scoring
 * function checks at load.
 *
 * - Logistic: standardise (Sub, Div), contributions (Mul), log-odds (Gemm).
 * - Boosted trees: one `TreeEnsembleRegressor` (ai.onnx.ml) with a target per feature, whose leaf
 *   weights are the Saabas contributions along each leaf's path; the log-odds are their sum
 *   (ReduceSum) plus the ensemble's bias.
 */
import type { OnnxTypes } from '../../functions/score/adapters/onnx-proto';
import { onnx } from '../../functions/score/adapters/onnx-proto';
import { graphWeightsSha256 } from '../../functions/score/adapters/onnx-weights';
import type { ModelInfo } from '../../functions/score/domain/model-info';
import { MODEL_METADATA_KEYS, VERSION_HASH_DIGITS } from '../../functions/score/domain/model-info';
import type { PlattScaling } from './calibrate';
import type { TreeEnsemble } from './gbt';
import { ensembleBias, leafContributions } from './gbt';
import type { LogisticModel } from './logistic';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const ATTR = onnx.AttributeProto.AttributeType;

export type Candidate =
  | { readonly kind: 'logistic'; readonly model: LogisticModel }
  | { readonly kind: 'trees'; readonly model: TreeEnsemble };

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

/** Nodes and initialisers that turn `features` into `raw_contributions` [N,F] and `raw_logit` [N,1]. */
function rawScorer(candidate: Candidate, width: number): Pick<OnnxTypes.IGraphProto, 'node' | 'initializer'> {
  if (candidate.kind === 'logistic') {
    const m = candidate.model;
    return {
      initializer: [
        tensor('mean', [width], m.means),
        tensor('scale', [width], m.scales),
        tensor('weight_row', [1, width], m.weights),
        tensor('weight_col', [width, 1], m.weights),
        tensor('intercept', [1], [m.intercept]),
      ],
      node: [
        { opType: 'Sub', input: ['features', 'mean'], output: ['centred'], name: 'centre' },
        { opType: 'Div', input: ['centred', 'scale'], output: ['standardised'], name: 'standardise' },
        {
          opType: 'Mul',
          input: ['standardised', 'weight_row'],
          output: ['raw_contributions'],
          name: 'contribute',
        },
        {
          opType: 'Gemm',
          input: ['standardised', 'weight_col', 'intercept'],
          output: ['raw_logit'],
          name: 'log_odds',
        },
      ],
    };
  }
  const ints: Record<string, number[]> = {
    nodes_treeids: [],
    nodes_nodeids: [],
    nodes_featureids: [],
    nodes_truenodeids: [],
    nodes_falsenodeids: [],
    target_treeids: [],
    target_nodeids: [],
    target_ids: [],
  };
  const nodeValues: number[] = [];
  const modes: string[] = [];
  const targetWeights: number[] = [];
  candidate.model.trees.forEach((tree, t) => {
    const leaves = leafContributions(tree);
    tree.forEach((node, i) => {
      const leaf = node.feature < 0;
      ints.nodes_treeids?.push(t);
      ints.nodes_nodeids?.push(i);
      ints.nodes_featureids?.push(leaf ? 0 : node.feature);
      ints.nodes_truenodeids?.push(leaf ? 0 : node.left);
      ints.nodes_falsenodeids?.push(leaf ? 0 : node.right);
      nodeValues.push(leaf ? 0 : node.threshold);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      if (!leaf) return;
      for (const [feature, weight] of [...(leaves.get(i) ?? new Map<number, number>())].sort(
        ([a], [b]) => a - b,
      )) {
        ints.target_treeids?.push(t);
        ints.target_nodeids?.push(i);
        ints.target_ids?.push(feature);
        targetWeights.push(weight);
      }
    });
  });
  const attribute: OnnxTypes.IAttributeProto[] = [
    ...Object.entries(ints).map(([name, values]) => ({ name, type: ATTR.INTS, ints: values })),
    { name: 'nodes_values', type: ATTR.FLOATS, floats: nodeValues.map((v) => Math.fround(v)) },
    { name: 'nodes_modes', type: ATTR.STRINGS, strings: modes.map((m) => Buffer.from(m)) },
    { name: 'target_weights', type: ATTR.FLOATS, floats: targetWeights.map((v) => Math.fround(v)) },
    { name: 'n_targets', type: ATTR.INT, i: width },
    { name: 'aggregate_function', type: ATTR.STRING, s: Buffer.from('SUM') },
    { name: 'post_transform', type: ATTR.STRING, s: Buffer.from('NONE') },
  ];
  return {
    initializer: [
      tensor('bias', [1], [ensembleBias(candidate.model)]),
      { name: 'sum_axes', dims: [1], dataType: INT64, int64Data: [1] },
    ],
    node: [
      {
        opType: 'TreeEnsembleRegressor',
        domain: 'ai.onnx.ml',
        input: ['features'],
        output: ['raw_contributions'],
        name: 'trees',
        attribute,
      },
      {
        opType: 'ReduceSum',
        input: ['raw_contributions', 'sum_axes'],
        output: ['contribution_sum'],
        name: 'sum_contributions',
        attribute: [{ name: 'keepdims', type: ATTR.INT, i: 1 }],
      },
      { opType: 'Add', input: ['contribution_sum', 'bias'], output: ['raw_logit'], name: 'log_odds' },
    ],
  };
}

/** What the caller declares about the model; the version and the weights hash follow from the graph. */
export type ExportedModelInfo = Omit<ModelInfo, 'version' | 'weightsSha256'> & {
  /** The training seed, the version's middle part. */
  readonly seed: number;
};

export interface ExportedModel {
  readonly bytes: Uint8Array;
  readonly info: ModelInfo;
}

export function exportModelToOnnx(
  candidate: Candidate,
  scaling: PlattScaling,
  declared: ExportedModelInfo,
): ExportedModel {
  const { seed, ...rest } = declared;
  const width = rest.features.length;
  if (candidate.kind === 'logistic' && candidate.model.weights.length !== width)
    throw new Error('feature names and weights differ in length');
  if (candidate.kind === 'trees' && candidate.model.width !== width)
    throw new Error('feature names and the ensemble differ in width');
  const raw = rawScorer(candidate, width);
  const graph: OnnxTypes.IGraphProto = {
    name: candidate.kind === 'logistic' ? 'san_risk_logistic' : 'san_risk_boosted_trees',
    input: [valueInfo('features', ['N', width])],
    output: [valueInfo('probability', ['N', 1]), valueInfo('contributions', ['N', width])],
    initializer: [
      ...(raw.initializer ?? []),
      tensor('platt_slope', [1], [scaling.slope]),
      tensor('platt_intercept', [1], [scaling.intercept]),
    ],
    node: [
      ...(raw.node ?? []),
      {
        opType: 'Mul',
        input: ['raw_contributions', 'platt_slope'],
        output: ['contributions'],
        name: 'calibrate_contributions',
      },
      {
        opType: 'Mul',
        input: ['raw_logit', 'platt_slope'],
        output: ['scaled_logit'],
        name: 'calibrate_slope',
      },
      {
        opType: 'Add',
        input: ['scaled_logit', 'platt_intercept'],
        output: ['logit'],
        name: 'calibrate_shift',
      },
      { opType: 'Sigmoid', input: ['logit'], output: ['probability'], name: 'probability' },
    ],
  };
  // Hashed as the scorer will see it: decoded from the bytes the file holds.
  const weightsSha256 = graphWeightsSha256(onnx.GraphProto.decode(onnx.GraphProto.encode(graph).finish()));
  const kind = candidate.kind === 'logistic' ? 'logistic' : 'gbt';
  const info: ModelInfo = {
    ...rest,
    version: `${kind}-${seed}-${weightsSha256.slice(0, VERSION_HASH_DIGITS)}`,
    weightsSha256,
  };
  const metadataProps = [
    { key: MODEL_METADATA_KEYS.version, value: info.version },
    { key: MODEL_METADATA_KEYS.features, value: JSON.stringify(info.features) },
    { key: MODEL_METADATA_KEYS.ventileCutPoints, value: JSON.stringify(info.ventileCutPoints) },
    { key: MODEL_METADATA_KEYS.trainingDataSha256, value: info.trainingDataSha256 },
    { key: MODEL_METADATA_KEYS.weightsSha256, value: info.weightsSha256 },
    { key: MODEL_METADATA_KEYS.metrics, value: JSON.stringify(info.metrics) },
    { key: MODEL_METADATA_KEYS.trainedOn, value: info.trainedOn },
  ];
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 17 },
      ...(candidate.kind === 'trees' ? [{ domain: 'ai.onnx.ml', version: 3 }] : []),
    ],
    producerName: 'san-train',
    producerVersion: '1',
    modelVersion: 1,
    docString: 'Sistema de Alerta Niñez: probability of a rights violation in the next 12 months',
    graph,
    metadataProps,
  });
  return { bytes: onnx.ModelProto.encode(proto).finish(), info };
}

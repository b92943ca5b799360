/**
 * The model shipped in the layer is exactly what `npm run train` produces with its defaults: a
 * change to the generator, the ingest path or the features that would alter it fails here.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING, train } from '../../tools/train/main';

describe('the committed risk model', () => {
  it('is reproduced byte for byte by npm run train, and so is its model card', async () => {
    const committed = await readFile('layers/model/risk-model.onnx');
    const { bytes, card, evaluation } = await train(DEFAULT_TRAINING);
    expect(Buffer.from(bytes).equals(committed)).toBe(true);
    expect(card.markdown).toBe(await readFile('layers/model/MODEL_CARD.md', 'utf8'));
    expect(card.calibrationSvg).toBe(await readFile('layers/model/calibration.svg', 'utf8'));
    // The card's figures are the evaluation's, computed in this run, not copied.
    expect(card.markdown).toContain(
      `| AUC | ${evaluation.model.auc.toFixed(3)} | ${evaluation.oracle.auc.toFixed(3)} |`,
    );
  }, 600_000);
});

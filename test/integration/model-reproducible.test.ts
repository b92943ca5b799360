/**
 * The model shipped in the layer is exactly what `npm run train` produces with its defaults: a
 * change to the generator, the ingest path or the features that would alter it fails here.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { train } from '../../tools/train/main';

describe('the committed risk model', () => {
  it('is reproduced byte for byte by npm run train', async () => {
    const committed = await readFile('layers/model/risk-model.onnx');
    const { bytes } = await train({ seed: 2024, children: 60_000 });
    expect(Buffer.from(bytes).equals(committed)).toBe(true);
  }, 180_000);
});

/**
 * The registry's zone reaches the bias audit: the generator writes `ZONA` with each comuna's rural
 * share, and the training set groups children by what the contract read from it.
 */
import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import { generateCut } from '../../../tools/generate/generator';
import { buildDataset } from '../../../tools/train/dataset';

describe('zone in the training set', () => {
  it('groups children as urbana, rural or sin dato from the registry column', async () => {
    const generated = generateCut({ children: 4000, seed: 11, cut: '2025-10' });
    const set = await buildDataset(generated, createPseudonymiser('33'.repeat(32)));
    const zones = set.groups.zona;
    expect(zones).toHaveLength(set.rows);
    expect(new Set(zones)).toEqual(new Set(['urbana', 'rural', 'sin dato']));

    const ruralShare = (cut: string): number => {
      const inComuna = zones.filter((_, i) => set.comunas[i] === cut && zones[i] !== 'sin dato');
      return inComuna.filter((z) => z === 'rural').length / inComuna.length;
    };
    // Nueva Imperial is largely rural, Santiago not at all.
    expect(ruralShare('09111')).toBeGreaterThan(0.25);
    expect(ruralShare('13101')).toBe(0);
    // Blank zones are the generator's small share of defects, not a default.
    const blank = zones.filter((z) => z === 'sin dato').length / zones.length;
    expect(blank).toBeGreaterThan(0.005);
    expect(blank).toBeLessThan(0.05);
  }, 60_000);

  it("writes ZONA as the registry extract's last column: URBANA, RURAL or blank", () => {
    const generated = generateCut({ children: 300, seed: 5, cut: '2025-10', sources: ['rsh'] });
    const text = new TextDecoder('windows-1252').decode(generated.files[0]?.bytes);
    const [header, ...rows] = text.trimEnd().split(/\r?\n/);
    const columns = header?.split(';') ?? [];
    expect(columns.at(-1)).toBe('ZONA');
    const values = new Set(rows.map((r) => r.split(';').at(-1)));
    expect([...values].every((v) => v === 'URBANA' || v === 'RURAL' || v === '')).toBe(true);
  });
});

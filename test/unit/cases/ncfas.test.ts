import { describe, expect, it } from 'vitest';
import type { NcfasRatings } from '../../../functions/cases/domain/ncfas';
import {
  NCFAS_DOMAINS,
  ncfasOutcome,
  ncfasRatingsSchema,
  problemDomains,
} from '../../../functions/cases/domain/ncfas';

const all = (rating: NcfasRatings[keyof NcfasRatings]): NcfasRatings =>
  Object.fromEntries(NCFAS_DOMAINS.map((d) => [d, rating])) as unknown as NcfasRatings;

describe('NCFAS', () => {
  it('has the ten domains of the SAN platform', () => {
    expect(NCFAS_DOMAINS).toHaveLength(10);
  });

  it('takes every point of the scale and the two ways of not rating, and nothing else', () => {
    for (const r of [2, 1, 0, -1, -2, -3, 'no_aplica', 'sin_informacion'] as const)
      expect(ncfasRatingsSchema.safeParse(all(r)).success).toBe(true);
    for (const bad of [3, -4, 0.5, '1', 'n/a', null]) {
      const parsed = ncfasRatingsSchema.safeParse({ ...all(0), entorno: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['entorno']);
      expect(parsed.error?.issues[0]?.message).toContain('debe ser un punto de la escala');
    }
  });

  it('refuses an assessment missing a domain or naming one that does not exist', () => {
    const { entorno: _, ...missing } = all(0);
    expect(ncfasRatingsSchema.safeParse(missing).error?.issues[0]?.path).toEqual(['entorno']);
    expect(ncfasRatingsSchema.safeParse({ ...all(0), vivienda: 1 }).success).toBe(false);
  });

  it('measures the change per domain from intake to closure, leaving out the domains not rated in both', () => {
    const intake: NcfasRatings = {
      ...all(-2),
      entorno: 'sin_informacion',
      salud_familiar: 1,
      autosuficiencia: -1,
    };
    const closing: NcfasRatings = {
      ...all(0),
      preparacion_reunificacion: 'no_aplica',
      salud_familiar: 1,
      autosuficiencia: -3,
    };
    const outcome = ncfasOutcome(intake, closing);
    expect(outcome.domains.find((d) => d.domain === 'entorno')).toEqual({
      domain: 'entorno',
      intake: 'sin_informacion',
      closing: 0,
      change: null,
    });
    expect(outcome.domains.find((d) => d.domain === 'capacidades_parentales')?.change).toBe(2);
    expect(outcome.domains.find((d) => d.domain === 'autosuficiencia')?.change).toBe(-2);
    // 10 domains less entorno and preparacion_reunificacion: 6 improved by 2, one unchanged, one worse by 2.
    expect(outcome).toMatchObject({ compared: 8, improved: 6, unchanged: 1, worsened: 1 });
    expect(outcome.meanChange).toBeCloseTo((6 * 2 + 0 - 2) / 8, 12);
    expect(ncfasOutcome(all('no_aplica'), all(0)).meanChange).toBeNull();
  });

  it('names the domains rated as a problem', () => {
    expect(
      problemDomains({ ...all(0), seguridad_familiar: -3, entorno: -1, salud_familiar: 'no_aplica' }),
    ).toEqual(['entorno', 'seguridad_familiar']);
  });
});

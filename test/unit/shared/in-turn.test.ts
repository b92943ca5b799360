import { describe, expect, it } from 'vitest';
import { inTurnBy } from '../../../functions/shared/domain/in-turn';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inTurnBy', () => {
  it('runs tasks of one key one after another in order, other keys alongside, past a failure', async () => {
    const inTurn = inTurnBy();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}:start`);
        await tick(ms);
        log.push(`${name}:end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      inTurn('a', task('a1', 20, true)),
      inTurn('b', task('b1', 5)),
      inTurn('a', task('a2', 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('a2:start')).toBeGreaterThan(log.indexOf('a1:end'));
    expect(log.indexOf('b1:start')).toBeLessThan(log.indexOf('a1:end'));
  });
});

import { describe, expect, it } from 'vitest';
import raw from '../../../functions/shared/config/prioritisation.json';
import { PRIORITISATION, parsePrioritisation } from '../../../functions/shared/domain/prioritisation';

describe('prioritisation configuration', () => {
  it('loads the committed file as it is', () => {
    expect(PRIORITISATION.requireChildSignal).toBe(raw.requireChildSignal);
  });

  it('accepts the rule on or off, with a comment', () => {
    expect(parsePrioritisation({ requireChildSignal: false }, 'f.json')).toEqual({
      requireChildSignal: false,
    });
    expect(
      parsePrioritisation({ $comment: 'x', requireChildSignal: true }, 'f.json').requireChildSignal,
    ).toBe(true);
  });

  it('names the file and the field of a missing, mistyped or unknown setting', () => {
    expect(() => parsePrioritisation({}, 'config/p.json')).toThrow(/^config\/p\.json: requireChildSignal: /);
    expect(() => parsePrioritisation({ requireChildSignal: 'yes' }, 'config/p.json')).toThrow(
      /config\/p\.json: requireChildSignal: must be true or false/,
    );
    expect(() =>
      parsePrioritisation({ requireChildSignal: true, requireChildSignl: true }, 'p.json'),
    ).toThrow(/p\.json: \(root\): .*requireChildSignl/);
    expect(() => parsePrioritisation([], 'p.json')).toThrow(/p\.json: \(root\)/);
  });
});

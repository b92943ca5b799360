import { afterEach, describe, expect, it, vi } from 'vitest';
import { countMetric } from '../../../functions/shared/adapters/observability';

describe('metrics where the local runtime and the tests run', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  it('prints nothing when POWERTOOLS_METRICS_DISABLED is set', () => {
    expect(process.env.POWERTOOLS_METRICS_DISABLED).toBe('true');
    const out = vi.spyOn(process.stdout, 'write');
    const log = vi.spyOn(console, 'log');
    countMetric('alertsFiled', '13101');
    expect(out).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });
});

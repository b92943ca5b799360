import { describe, expect, it } from 'vitest';
import { routeAlert } from '../../../functions/alerts/domain/routing';

const scored = (comuna: string, cut = '2026-10') => ({ comuna, provisional: false, cut });
const provisional = (comuna: string) => ({ comuna, provisional: true });

describe('routeAlert', () => {
  it('sends the alert to the comuna whose roster the data puts the child on, not the reporter’s', () => {
    expect(routeAlert([scored('08101')], '13101')).toBe('08101');
  });

  it('keeps a child unknown anywhere in the reporter’s comuna, as a provisional entry will', () => {
    expect(routeAlert([], '13101')).toBe('13101');
  });

  it('prefers the data over an earlier provisional entry, and the latest cut over an older one', () => {
    expect(routeAlert([provisional('13101'), scored('08101')], '13101')).toBe('08101');
    expect(routeAlert([scored('08101', '2026-09'), scored('05701', '2026-10')], '13101')).toBe('05701');
  });

  it('among comunas of the same cut, the reporter’s if it is one, else the lowest CUT', () => {
    expect(routeAlert([scored('08101'), scored('13101')], '13101')).toBe('13101');
    expect(routeAlert([scored('13110'), scored('08101')], '13101')).toBe('08101');
  });

  it('keeps a child known only from earlier alerts where its provisional entry already is', () => {
    expect(routeAlert([provisional('05701')], '13101')).toBe('05701');
    expect(routeAlert([provisional('05701'), provisional('13101')], '13101')).toBe('13101');
  });
});

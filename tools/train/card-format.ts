/** How the model card writes its figures: three decimals, percentages and 95% intervals. */
import { findComuna } from '../../functions/shared/domain/comunas';
import type { Interval } from './bootstrap';
import type { RatioInterval } from './evaluation';
import type { RateInterval } from './metrics';

export const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
/** A ratio with its 95% interval, as `1.144 (0.87–1.50)`. */
export const withInterval = (v: number, i: RatioInterval | undefined): string =>
  i && Number.isFinite(v) ? `${v.toFixed(3)} (${i.low.toFixed(2)}–${i.high.toFixed(2)})` : f3(v);
/** A figure with its bootstrap 95% interval, as `0.814 (0.805–0.823)`. */
export const boot = (v: number, i: Interval): string =>
  Number.isFinite(i.low) && Number.isFinite(i.high) ? `${signed(v)} (${span(i)})` : f3(v);
/** Negative figures with a minus sign, so that an interval's dash stays unambiguous. */
export const signed = (v: number): string => f3(v).replace(/^-/, '−');
export const span = (i: Interval): string => `${signed(i.low)}–${signed(i.high)}`;
export const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—');
/** A rate with its Wilson 95% interval, as `1.9% (1.7–2.1)`. */
export const rateWithInterval = (v: number, i: RateInterval | undefined): string =>
  i && Number.isFinite(v) ? `${pct(v)} (${(i.low * 100).toFixed(1)}–${(i.high * 100).toFixed(1)})` : pct(v);

/** A group as the card names it: a comuna by its name and CUT, any other group as it is. */
export function label(attribute: string, group: string): string {
  return attribute === 'comuna' ? `${findComuna(group)?.name ?? group} (${group})` : group;
}

/**
 * The rule "at least one child-level signal to be prioritised by the model": a scored child none of
 * whose shown reasons concerns the child itself (school, health, police, protection records) is
 * ranked by the model only for its household's situation. With the rule on, such a child stays on
 * the roster with its score and reasons but after every child with a child-level reason (children
 * with an open alert still come first), and its entry says why, in words for the OLN.
 */
import type { PrioritisationConfig } from '../../shared/domain/prioritisation';
import type { Demotion, Reason } from './roster';

export const HOUSEHOLD_ONLY_TEXT =
  'Priorizado solo por datos del hogar: el modelo no lo pone en la cabeza de la nómina sin una señal propia del niño';
export const NO_REASON_TEXT =
  'Sin razones propias del niño: el modelo no lo pone en la cabeza de la nómina sin una señal propia del niño';

/** True when at least one shown reason concerns the child itself. */
export function hasChildSignal(reasons: readonly Pick<Reason, 'concerns'>[]): boolean {
  return reasons.some((r) => r.concerns === 'niño');
}

/** True when the shown reasons are all about the household (and there is at least one). */
export function householdOnly(reasons: readonly Pick<Reason, 'concerns'>[]): boolean {
  return reasons.length > 0 && !hasChildSignal(reasons);
}

/** The demotion of a child with these shown reasons under `config`; undefined when it keeps its rank. */
export function demotionOf(
  reasons: readonly Pick<Reason, 'concerns'>[],
  config: PrioritisationConfig,
): Demotion | undefined {
  if (!config.requireChildSignal || hasChildSignal(reasons)) return undefined;
  return { rule: 'child-signal', text: reasons.length > 0 ? HOUSEHOLD_ONLY_TEXT : NO_REASON_TEXT };
}

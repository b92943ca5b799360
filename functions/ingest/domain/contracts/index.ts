/**
 * Source contracts: for each administrative source, the columns it must carry (with the header
 * aliases institutions really use), how each row is validated and normalised, which part of it is
 * personal data (kept apart, in the identity store), what makes two rows duplicates, and the rules
 * of its data-quality index.
 */
import { educationContract } from './educacion';
import { rshContract } from './rsh';
import type { SourceContract, SourceId } from './types';

export type { EducationFields } from './educacion';
export type { RshFields } from './rsh';
export type * from './types';
export { educationContract, rshContract };

export const CONTRACTS: Readonly<Record<SourceId, SourceContract<unknown>>> = {
  rsh: rshContract as SourceContract<unknown>,
  educacion: educationContract as SourceContract<unknown>,
};

export function isSourceId(value: string): value is SourceId {
  return Object.hasOwn(CONTRACTS, value);
}

/** The contract of a known source. */
export function contractOf(source: SourceId): SourceContract<unknown> {
  return CONTRACTS[source];
}

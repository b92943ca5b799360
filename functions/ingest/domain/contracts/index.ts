/**
 * Source contracts: for each administrative source, the columns it must carry (with the header
 * aliases institutions really use), how each row is validated and normalised, which part of it is
 * personal data (kept apart, in the identity store), what makes two rows duplicates, and the rules
 * of its data-quality index.
 */
import { educationContract } from './educacion';
import { policeContract } from './policia';
import { custodyContract } from './privacion-libertad';
import { protectionContract } from './proteccion';
import { civilRegistryContract } from './registro-civil';
import { rshContract } from './rsh';
import { healthContract } from './salud';
import type { SourceContract, SourceId } from './types';

export type { EducationFields } from './educacion';
export type { PoliceFields } from './policia';
export type { CustodyFields } from './privacion-libertad';
export type { ProtectionFields } from './proteccion';
export type { CivilRegistryFields } from './registro-civil';
export type { RshFields } from './rsh';
export type { HealthFields } from './salud';
export type * from './types';
export {
  civilRegistryContract,
  custodyContract,
  educationContract,
  healthContract,
  policeContract,
  protectionContract,
  rshContract,
};

export const CONTRACTS: Readonly<Record<SourceId, SourceContract<unknown>>> = {
  rsh: rshContract as SourceContract<unknown>,
  educacion: educationContract as SourceContract<unknown>,
  salud: healthContract as SourceContract<unknown>,
  proteccion: protectionContract as SourceContract<unknown>,
  policia: policeContract as SourceContract<unknown>,
  registro_civil: civilRegistryContract as SourceContract<unknown>,
  privacion_libertad: custodyContract as SourceContract<unknown>,
};

export function isSourceId(value: string): value is SourceId {
  return Object.hasOwn(CONTRACTS, value);
}

/** The contract of a source named in a plan or a key; throws for a source with no contract. */
export function contractOf(source: string): SourceContract<unknown> {
  if (!isSourceId(source)) throw new Error(`no contract for source ${source}`);
  return CONTRACTS[source];
}

/**
 * Pseudonymisation: a RUN becomes a keyed hash (HMAC-SHA-256, truncated to 132 bits) that is stable
 * across sources and cuts, so records join without the RUN itself ever leaving ingest. Without the
 * key the pseudonym cannot be reversed or recomputed by brute force over the possible RUNs.
 * Household folios get the same treatment under their own prefix.
 */
import { createHmac } from 'node:crypto';
import type { Run } from './run';
import { canonicalRun } from './run';

/** The key must carry at least 256 bits. */
export const MIN_KEY_BYTES = 32;

export class PseudonymKeyError extends Error {
  override readonly name = 'PseudonymKeyError';
}

export interface Pseudonymiser {
  /** `n-` + 22 base64url characters: the child's identifier everywhere after ingest. */
  child(run: Run): string;
  /** `h-` + 22 base64url characters: a household folio of the social registry. */
  household(folio: string): string;
}

export const CHILD_ID_PATTERN = /^n-[A-Za-z0-9_-]{22}$/;

/** Builds the pseudonymiser for a key given as hex or base64 text. */
export function createPseudonymiser(keyText: string): Pseudonymiser {
  const key = decodeKey(keyText);
  const hash = (domain: string, value: string): string =>
    createHmac('sha256', key).update(`${domain}:${value}`).digest('base64url').slice(0, 22);
  return {
    child: (run) => `n-${hash('run', canonicalRun(run))}`,
    household: (folio) => `h-${hash('folio', folio.trim().toUpperCase())}`,
  };
}

function decodeKey(keyText: string): Buffer {
  const text = keyText.trim();
  const key = /^[0-9a-fA-F]+$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length < MIN_KEY_BYTES) {
    throw new PseudonymKeyError(
      `the pseudonymisation key has ${key.length} bytes; at least ${MIN_KEY_BYTES} are required (hex or base64)`,
    );
  }
  return key;
}

/**
 * Pseudonymisation: a RUN becomes a keyed hash (HMAC-SHA-256, truncated to 132 bits) that is stable
 * across sources and cuts, so records join without the RUN itself ever leaving ingest. Without the
 * key the pseudonym cannot be reversed or recomputed by brute force over the possible RUNs.
 * Household folios get the same treatment under their own prefix.
 */
import { createHmacSha256 } from './hmac-sha256';
import type { Run } from './run';

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
  /**
   * `n-` + 22 base64url characters: the provisional child an alert without RUN is filed under,
   * derived from the alert's id (the same on every delivery) and shaped like every child's id, so
   * every route that takes a child takes it.
   */
  provisionalChild(alertId: string): string;
}

export const CHILD_ID_PATTERN = /^n-[A-Za-z0-9_-]{22}$/;

/** Builds the pseudonymiser for a key given as hex or base64 text. */
export function createPseudonymiser(keyText: string): Pseudonymiser {
  const hmac = createHmacSha256(decodeKey(keyText));
  const message = new Uint8Array(256);
  const digest = new Int32Array(8);
  // The message is `<domain>:<value>` in UTF-8, as `createHmac(...).update(text)` hashes it.
  const hash = (prefix: string, domain: string, value: string): string => {
    let n = 0;
    for (let i = 0; i < domain.length; i++) message[n++] = domain.charCodeAt(i);
    message[n++] = 0x3a;
    let bytes: Uint8Array = message;
    if (n + value.length <= message.length && isAscii(value)) {
      for (let i = 0; i < value.length; i++) message[n++] = value.charCodeAt(i);
    } else {
      bytes = Buffer.from(`${domain}:${value}`, 'utf8');
      n = bytes.length;
    }
    hmac.digestWords(bytes, n, digest);
    return prefix + base64urlPrefix22(digest);
  };
  let lastFolio: string | undefined;
  let lastHousehold = '';
  return {
    child: (run) => {
      // `run:<body>-<dv>` written straight into the message, without building the canonical text.
      let n = 0;
      message[n++] = 0x72; // r
      message[n++] = 0x75; // u
      message[n++] = 0x6e; // n
      message[n++] = 0x3a; // :
      const body = run.body;
      if (!Number.isSafeInteger(body) || body < 0) return hash('n-', 'run', `${body}-${run.dv}`);
      let digits = 1;
      for (let rest = body; rest >= 10; rest = Math.floor(rest / 10)) digits++;
      let rest = body;
      for (let i = n + digits - 1; i >= n; i--) {
        message[i] = 0x30 + (rest % 10);
        rest = Math.floor(rest / 10);
      }
      n += digits;
      message[n++] = 0x2d; // -
      const dv = run.dv.charCodeAt(0);
      if (run.dv.length !== 1 || dv >= 0x80) return hash('n-', 'run', `${body}-${run.dv}`);
      message[n++] = dv;
      hmac.digestWords(message, n, digest);
      return `n-${base64urlPrefix22(digest)}`;
    },
    household: (folio) => {
      // Registry extracts list a household's members one after another: the last folio's
      // pseudonym is kept, so a household of four costs one HMAC instead of four.
      if (folio === lastFolio) return lastHousehold;
      lastHousehold = hash('h-', 'folio', folio.trim().toUpperCase());
      lastFolio = folio;
      return lastHousehold;
    },
    provisionalChild: (alertId) => hash('n-', 'provisional', alertId.trim().toLowerCase()),
  };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Every 12-bit value as its two base64url characters. */
const PAIRS: readonly string[] = Array.from(
  { length: 4096 },
  (_, v) => `${BASE64URL[v >> 6] as string}${BASE64URL[v & 63] as string}`,
);

/** The first 22 base64url characters (132 bits) of a digest given as big-endian words. */
function base64urlPrefix22(d: Int32Array): string {
  const w0 = d[0] as number;
  const w1 = d[1] as number;
  const w2 = d[2] as number;
  const w3 = d[3] as number;
  const w4 = d[4] as number;
  const p = PAIRS;
  return (
    (p[w0 >>> 20] as string) +
    (p[(w0 >>> 8) & 4095] as string) +
    (p[((w0 & 255) << 4) | (w1 >>> 28)] as string) +
    (p[(w1 >>> 16) & 4095] as string) +
    (p[(w1 >>> 4) & 4095] as string) +
    (p[((w1 & 15) << 8) | (w2 >>> 24)] as string) +
    (p[(w2 >>> 12) & 4095] as string) +
    (p[w2 & 4095] as string) +
    (p[w3 >>> 20] as string) +
    (p[(w3 >>> 8) & 4095] as string) +
    (p[((w3 & 255) << 4) | (w4 >>> 28)] as string)
  );
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

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHmacSha256 } from '../../../functions/shared/domain/hmac-sha256';
import { createPseudonymiser } from '../../../functions/shared/domain/pseudonym';
import type { CheckDigit } from '../../../functions/shared/domain/run';
import { canonicalRun, checkDigit } from '../../../functions/shared/domain/run';

/** Seeded pseudo-random bytes and integers (mulberry32), so that a failure can be replayed. */
function seeded(seed: number): { bytes: (n: number) => Buffer; below: (n: number) => number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    bytes: (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
    below: (n) => Math.floor(next() * n),
  };
}
const random = seeded(20_261_202);
const randomBytes = random.bytes;

/** The pseudonym as first specified: node:crypto's HMAC-SHA-256, base64url, first 22 characters. */
function reference(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url').slice(0, 22);
}

function digestHex(key: Buffer, message: Buffer): string {
  const out = new Int32Array(8);
  createHmacSha256(key).digestWords(message, message.length, out);
  return Array.from(out, (w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
}

describe('HMAC-SHA-256', () => {
  it('matches node:crypto for keys and messages of every length around the block boundaries', () => {
    for (const keyLength of [1, 32, 55, 63, 64, 65, 100, 200]) {
      const key = randomBytes(keyLength);
      for (let length = 0; length <= 200; length++) {
        const message = randomBytes(length);
        expect(digestHex(key, message), `key ${keyLength}, message ${length}`).toBe(
          createHmac('sha256', key).update(message).digest('hex'),
        );
      }
    }
  });

  it('reads only the given length of the message buffer', () => {
    const key = randomBytes(32);
    const message = randomBytes(80);
    const out = new Int32Array(8);
    createHmacSha256(key).digestWords(message, 30, out);
    const hex = Array.from(out, (w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
    expect(hex).toBe(createHmac('sha256', key).update(message.subarray(0, 30)).digest('hex'));
  });
});

describe('pseudonyms', () => {
  const keyHex = randomBytes(32).toString('hex');
  const key = Buffer.from(keyHex, 'hex');
  const pseudonymiser = createPseudonymiser(keyHex);

  it('are the HMAC-SHA-256 of `run:<canonical RUN>`, base64url, first 22 characters', () => {
    for (let i = 0; i < 20_000; i++) {
      const body = 1_000 + random.below(99_999_000);
      const run = { body, dv: checkDigit(body) };
      expect(pseudonymiser.child(run)).toBe(`n-${reference(key, `run:${canonicalRun(run)}`)}`);
    }
    for (const body of [1_000, 9_999, 10_000, 99_999_999]) {
      for (const dv of ['0', '5', 'K'] as CheckDigit[]) {
        expect(pseudonymiser.child({ body, dv })).toBe(`n-${reference(key, `run:${body}-${dv}`)}`);
      }
    }
  });

  it('are the HMAC-SHA-256 of `folio:<trimmed upper-case folio>` for households, in UTF-8', () => {
    const folios = [
      '0810100001',
      ' 041010000001 ',
      'abc-123',
      '',
      'Ñandú 7',
      'ÁÉÍÓÚ€“”',
      '\u00a0folio\u00a0',
      '\ud800 lone surrogate',
      'x'.repeat(49),
      'x'.repeat(50),
      'x'.repeat(57),
      'y'.repeat(249),
      'z'.repeat(250),
      'ß'.repeat(300),
    ];
    for (const folio of folios) {
      expect(pseudonymiser.household(folio)).toBe(
        `h-${reference(key, `folio:${folio.trim().toUpperCase()}`)}`,
      );
    }
  });

  it('take the key as base64 too, and hash keys longer than a block', () => {
    const long = randomBytes(100);
    const base64 = createPseudonymiser(long.toString('base64'));
    expect(base64.child({ body: 12_345_678, dv: '5' })).toBe(`n-${reference(long, 'run:12345678-5')}`);
  });
});

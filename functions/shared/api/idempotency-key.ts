/**
 * What an `Idempotency-Key` header may hold: a UUID fits, as does any opaque token of these
 * characters. The alert route documents it and the idempotency edge checks it with this one pattern.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

/** The header as a client may send it: the key, optionally in double quotes as the IETF draft writes it. */
export const IDEMPOTENCY_HEADER_PATTERN = /^\s*"?[A-Za-z0-9._:-]{8,128}"?\s*$/;

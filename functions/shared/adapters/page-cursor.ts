/**
 * Paging cursors over DynamoDB queries: the query's `LastEvaluatedKey`, bound to the listing it came
 * from, so that a cursor of another comuna or other filters is refused rather than read as a place
 * in this one. Opaque to clients (base64url JSON).
 */

/** A cursor that is not one this listing gave. */
export class CursorError extends Error {
  override readonly name = 'CursorError';
}

export function encodePageKey(key: Record<string, unknown>, listing: string): string {
  return Buffer.from(JSON.stringify({ k: key, l: listing })).toString('base64url');
}

/** The key a cursor of `listing` holds; throws a `CursorError` for anything else. */
export function decodePageKey(cursor: string, listing: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('cursor no válido: use el nextCursor de la página anterior');
  }
  const { k, l } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    k?: unknown;
    l?: unknown;
  };
  if (typeof k !== 'object' || k === null || Array.isArray(k)) {
    throw new CursorError('cursor no válido: use el nextCursor de la página anterior');
  }
  if (l !== listing) {
    throw new CursorError(
      'el cursor es de otra consulta (otra comuna u otros filtros): repita la consulta sin cursor',
    );
  }
  const values = Object.values(k as Record<string, unknown>);
  if (values.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    throw new CursorError('cursor no válido: use el nextCursor de la página anterior');
  }
  return k as Record<string, unknown>;
}

/**
 * RUN (Rol Único Nacional): parsing, formatting and the modulo-11 check digit.
 * The check digit multiplies the digits from right to left by 2..7 cyclically, sums them, and maps
 * r = 11 - (sum mod 11) to a digit, with 11 -> '0' and 10 -> 'K'.
 */

export type CheckDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'K';

/** A RUN that has passed the check-digit test. */
export interface Run {
  readonly body: number;
  readonly dv: CheckDigit;
}

export type RunParseResult = { ok: true; run: Run } | { ok: false; reason: string };

const MIN_BODY = 1_000;
const MAX_BODY = 99_999_999;

/** Computes the check digit of a RUN body. */
export function checkDigit(body: number): CheckDigit {
  let sum = 0;
  let factor = 2;
  let rest = body;
  while (rest > 0) {
    sum += (rest % 10) * factor;
    rest = Math.floor(rest / 10);
    factor = factor === 7 ? 2 : factor + 1;
  }
  const r = 11 - (sum % 11);
  if (r === 11) return '0';
  if (r === 10) return 'K';
  return String(r) as CheckDigit;
}

/**
 * Parses a RUN written as `12.345.678-5`, `12345678-5`, `123456785`, or as a body and a separate
 * check digit. Returns a reason instead of throwing, so that callers can quarantine the row.
 */
export function parseRun(value: string, separateDv?: string): RunParseResult {
  const fast = separateDv === undefined ? undefined : plainRun(value, separateDv);
  if (fast) return fast;
  const cleaned = value.trim().replace(/[.\s]/g, '').toUpperCase();
  if (cleaned === '') return { ok: false, reason: 'RUN vacío' };
  let bodyText: string;
  let dvText: string;
  if (separateDv !== undefined) {
    bodyText = cleaned.replace(/-$/, '');
    dvText = separateDv.trim().toUpperCase();
  } else if (cleaned.includes('-')) {
    const parts = cleaned.split('-');
    if (parts.length !== 2) return { ok: false, reason: `RUN mal formado: "${value}"` };
    bodyText = parts[0] ?? '';
    dvText = parts[1] ?? '';
  } else {
    bodyText = cleaned.slice(0, -1);
    dvText = cleaned.slice(-1);
  }
  if (!/^\d+$/.test(bodyText)) return { ok: false, reason: `RUN con caracteres no numéricos: "${value}"` };
  if (!/^[0-9K]$/.test(dvText)) return { ok: false, reason: `dígito verificador inválido: "${dvText}"` };
  const body = Number(bodyText);
  if (body < MIN_BODY || body > MAX_BODY) return { ok: false, reason: `RUN fuera de rango: ${body}` };
  const expected = checkDigit(body);
  if (expected !== dvText) {
    return {
      ok: false,
      reason: `dígito verificador no corresponde (${body}-${dvText}, se esperaba ${expected})`,
    };
  }
  return { ok: true, run: { body, dv: expected } };
}

/**
 * The common spelling in extracts, a body of plain digits and a separate check digit that
 * matches, read without building intermediate text; undefined for anything else (which
 * `parseRun` then reads in full, with its reasons).
 */
function plainRun(value: string, separateDv: string): RunParseResult | undefined {
  if (value.length < 4 || value.length > 8 || separateDv.length !== 1) return undefined;
  let body = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    body = body * 10 + (c - 48);
  }
  if (body < MIN_BODY) return undefined;
  const expected = checkDigit(body);
  return separateDv === expected ? { ok: true, run: { body, dv: expected } } : undefined;
}

/** Formats a RUN as `12.345.678-5`. */
export function formatRun(run: Run): string {
  return `${run.body.toLocaleString('de-DE')}-${run.dv}`;
}

/** Canonical form used as the pseudonymisation input: `12345678-5`. */
export function canonicalRun(run: Run): string {
  return `${run.body}-${run.dv}`;
}

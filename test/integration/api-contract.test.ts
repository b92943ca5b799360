import { describe, expect, it } from 'vitest';
import { ContractViolationError, checkAgainstDocument } from './api-contract';

const URL_BASE = 'http://127.0.0.1:1';
const entry = {
  childId: 'n-abcdefghijklmnopqrstuv',
  origin: 'predictivo',
  provisional: false,
  cut: '2026-10',
  probability: 0.4,
  ventile: 18,
  reasons: [],
  demotion: null,
  modelVersion: 'm',
  scoredAt: null,
  alerts: [],
  case: null,
};

describe('checkAgainstDocument', () => {
  const check =
    (status: number, body: unknown, path = '/v1/comunas/13101/roster/n-x', method = 'GET') =>
    () =>
      checkAgainstDocument(method, `${URL_BASE}${path}`, status, body);

  it('accepts an answer the document describes, errors included', () => {
    expect(check(200, entry)).not.toThrow();
    expect(check(404, { error: { code: 'not_found', message: 'no está' } })).not.toThrow();
    expect(check(401, { message: 'Unauthorized' })).not.toThrow();
    expect(check(404, { message: 'Not Found' }, '/v1/nothing')).not.toThrow();
  });

  it('refuses a body off its schema: a field missing, of another type, or one not documented', () => {
    const { ventile: _, ...missing } = entry;
    expect(check(200, missing)).toThrow(/must have required property 'ventile'/);
    expect(check(200, { ...entry, ventile: 'alto' })).toThrow(ContractViolationError);
    expect(check(200, { ...entry, run: '22.222.222-2' })).toThrow(/must NOT have additional properties/);
    expect(check(400, { error: 'bad' })).toThrow(ContractViolationError);
  });

  it('refuses a status the route does not list, and a route the document does not have', () => {
    expect(check(418, {})).toThrow(/status not documented/);
    expect(check(200, {}, '/v1/nothing')).toThrow(/no such route/);
    expect(check(200, entry, '/v1/comunas/13101/roster/n-x', 'DELETE')).toThrow(/no such route/);
  });
});

/**
 * A `fetch` for the integration tests that holds every answer to the committed OpenAPI document
 * (docs/openapi.json): the route and method must be documented, the status must be one the route
 * lists, and the body must match that status's JSON Schema (validated with ajv, JSON Schema 2020-12
 * as OpenAPI 3.1 uses). A request to no documented route may only be answered as the gateway
 * answers one: 404 or 405 with `{message}`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface Operation {
  readonly responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

const document = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'),
) as { paths: Record<string, Record<string, Operation>> };

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);

const templates = Object.keys(document.paths).map((path) => ({
  path,
  pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

const compiled = new Map<string, ValidateFunction>();
function validatorFor(key: string, schema: object): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Thrown when an answer is not one the document describes. */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
}

/** What the response to `method url` must be, per the document; throws when it is not. */
export function checkAgainstDocument(method: string, url: string, status: number, body: unknown): void {
  const pathname = new URL(url).pathname;
  const template = templates.find((t) => t.pattern.test(pathname))?.path;
  const operation = template ? document.paths[template]?.[method.toLowerCase()] : undefined;
  const at = `${method} ${pathname} → ${status}`;
  if (!template || !operation) {
    const gatewayAnswer =
      (status === 404 || status === 405) &&
      typeof (body as { message?: unknown } | null)?.message === 'string';
    if (!gatewayAnswer) throw new ContractViolationError(`${at}: no such route in docs/openapi.json`);
    return;
  }
  const response = operation.responses[String(status)];
  if (!response) {
    throw new ContractViolationError(
      `${at}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`,
    );
  }
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return;
  const validate = validatorFor(`${method} ${template} ${status}`, schema);
  if (!validate(body)) {
    throw new ContractViolationError(
      `${at}: body does not match the document: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`,
    );
  }
}

/** `fetch`, then the JSON body, after checking both against the document. */
export async function fetchChecked(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  const body = (await response.json()) as Record<string, unknown>;
  checkAgainstDocument((init.method ?? 'GET').toUpperCase(), url, response.status, body);
  return { status: response.status, headers: response.headers, body };
}

import { describe, expect, it } from 'vitest';
import { breakingChanges } from '../../../tools/openapi/breaking-changes';
import { documentText } from '../../../tools/openapi/main';

type Doc = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};
const current = (): Doc => JSON.parse(documentText()) as Doc;
// biome-ignore lint/suspicious/noExplicitAny: test documents are edited as plain JSON
type Any = any;
const op = (doc: Doc, path: string, method = 'get'): Any => doc.paths[path]?.[method];
const schemaOf = (doc: Doc, path: string, status: string, method = 'get'): Any =>
  op(doc, path, method).responses[status].content['application/json'].schema;
const bodyOf = (doc: Doc): Any =>
  op(doc, '/v1/alerts', 'post').requestBody.content['application/json'].schema;

describe('breakingChanges', () => {
  it('finds none between a document and itself', () => {
    expect(breakingChanges(current(), current())).toEqual([]);
  });

  it('flags a removed route', () => {
    const next = current();
    delete next.paths['/v1/quality/{cut}/{source}'];
    expect(breakingChanges(current(), next)).toEqual(['GET /v1/quality/{cut}/{source}: route removed']);
  });

  it('flags a removed response field, and one no longer always sent', () => {
    const next = current();
    const entry = schemaOf(next, '/v1/comunas/{comuna}/roster/{childId}', '200');
    delete entry.properties.ventile;
    entry.required = entry.required.filter((r: string) => r !== 'ventile' && r !== 'reasons');
    expect(breakingChanges(current(), next)).toEqual([
      'GET /v1/comunas/{comuna}/roster/{childId} 200.ventile: removed from the response',
      'GET /v1/comunas/{comuna}/roster/{childId} 200.reasons: no longer always sent',
    ]);
  });

  it('flags a response field of a type or value clients have not seen', () => {
    const next = current();
    const run = schemaOf(next, '/v1/cuts/{cut}', '200').properties.runs.items;
    run.properties.bytes = { type: ['number', 'null'] };
    run.properties.status.enum.push('paused');
    expect(breakingChanges(current(), next)).toEqual([
      'GET /v1/cuts/{cut} 200.runs[].status: the response may now be "paused"',
      'GET /v1/cuts/{cut} 200.runs[].bytes: the response may now be of type null',
    ]);
  });

  it('flags a narrowed request type: a value, a type or a field no longer accepted', () => {
    const next = current();
    const body = bodyOf(next);
    body.properties.riskFactor.enum = body.properties.riskFactor.enum.filter(
      (v: string) => v !== 'situacion_de_calle',
    );
    body.properties.urgent = { type: 'string' };
    delete body.properties.observedAt;
    const limit = op(next, '/v1/comunas/{comuna}/roster').parameters.find((p: Any) => p.name === 'limit');
    limit.schema = { type: 'integer', enum: [50] };
    expect(breakingChanges(current(), next)).toEqual([
      'GET /v1/comunas/{comuna}/roster query.limit: now limited to 50',
      'POST /v1/alerts body.riskFactor: "situacion_de_calle" is no longer accepted',
      'POST /v1/alerts body.urgent: type boolean is no longer accepted',
      'POST /v1/alerts body.observedAt: no longer accepted',
    ]);
  });

  it('flags a new required request field or parameter', () => {
    const next = current();
    const body = bodyOf(next);
    body.properties.channel = { type: 'string' };
    body.required.push('channel');
    op(next, '/v1/cuts/{cut}').parameters.push({
      name: 'source',
      in: 'query',
      required: true,
      schema: { type: 'string' },
    });
    expect(breakingChanges(current(), next)).toEqual([
      'POST /v1/alerts body.channel: a new required field',
      'GET /v1/cuts/{cut} query.source: a new required parameter',
    ]);
  });

  it('lets through what a client can ignore: a new route, response field or optional request field', () => {
    const next = current();
    next.paths['/v1/new'] = { get: { responses: { 200: { description: 'x' } } } };
    const entry = schemaOf(next, '/v1/comunas/{comuna}/roster/{childId}', '200');
    entry.properties.extra = { type: 'string' };
    entry.required.push('extra');
    bodyOf(next).properties.channel = { type: 'string' };
    op(next, '/v1/cuts/{cut}').parameters.push({
      name: 'source',
      in: 'query',
      required: false,
      schema: { type: 'string' },
    });
    expect(breakingChanges(current(), next)).toEqual([]);
  });
});

/**
 * What a new OpenAPI document breaks for a client written against an old one: a route or a
 * success status removed; in a response, a field removed, made optional or given a type or enum
 * value the client has not seen; in a request, a new required parameter or field, or a type, enum
 * value or field the server no longer accepts. Additions a client can ignore are not breaking.
 * Schemas are compared as zod's JSON Schema output writes them (`type`, `enum`, `const`,
 * `properties`, `required`, `items`, `anyOf`).
 */

type Schema = Readonly<Record<string, unknown>>;
type Doc = Readonly<Record<string, unknown>>;

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The JSON types a schema admits (`integer` counted as a kind of `number` when comparing). */
function typesOf(s: Schema): Set<string> {
  const branches = Array.isArray(s.anyOf)
    ? (s.anyOf as Schema[])
    : Array.isArray(s.oneOf)
      ? (s.oneOf as Schema[])
      : [];
  if (branches.length > 0) return new Set(branches.flatMap((b) => [...typesOf(b)]));
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  const values = Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined;
  if (values)
    return new Set(values.map((v) => (v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v)));
  return new Set(['any']);
}

function covers(types: Set<string>, type: string): boolean {
  return types.has('any') || types.has(type) || (type === 'integer' && types.has('number'));
}

/** The values a schema is limited to, if it is (`enum`, `const`, across `anyOf` branches). */
function valuesOf(s: Schema): Set<unknown> | undefined {
  const branches = Array.isArray(s.anyOf) ? (s.anyOf as Schema[]) : [];
  if (branches.length > 0) {
    const sets = branches.map(valuesOf);
    if (sets.some((x) => x === undefined)) return undefined;
    return new Set(sets.flatMap((x) => [...(x as Set<unknown>)]));
  }
  if (Array.isArray(s.enum)) return new Set(s.enum);
  if ('const' in s) return new Set([s.const]);
  return undefined;
}

/** Properties and required names of an object schema, across `anyOf` branches. */
function objectOf(s: Schema): { properties: Record<string, Schema>; required: Set<string>; closed: boolean } {
  const branches = Array.isArray(s.anyOf) ? (s.anyOf as Schema[]) : [];
  if (branches.length > 0) {
    const parts = branches.filter((b) => typesOf(b).has('object')).map(objectOf);
    const properties: Record<string, Schema> = {};
    for (const p of parts) Object.assign(properties, p.properties);
    const required = new Set(
      [...(parts[0]?.required ?? [])].filter((r) => parts.every((p) => p.required.has(r))),
    );
    return { properties, required, closed: parts.every((p) => p.closed) };
  }
  return {
    properties: asRecord(s.properties) as Record<string, Schema>,
    required: new Set(Array.isArray(s.required) ? (s.required as string[]) : []),
    closed: s.additionalProperties === false,
  };
}

/** Problems of `next` for a client reading what the server sends (a response). */
function compareOutput(prev: Schema, next: Schema, at: string, out: string[]): void {
  const pt = typesOf(prev);
  const nt = typesOf(next);
  for (const t of nt) if (!covers(pt, t)) out.push(`${at}: the response may now be of type ${t}`);
  const pv = valuesOf(prev);
  const nv = valuesOf(next);
  if (pv) {
    if (!nv) out.push(`${at}: the response is no longer limited to ${[...pv].join(', ')}`);
    else for (const v of nv) if (!pv.has(v)) out.push(`${at}: the response may now be ${JSON.stringify(v)}`);
  }
  if (pt.has('object') && nt.has('object')) {
    const p = objectOf(prev);
    const n = objectOf(next);
    for (const [name, schema] of Object.entries(p.properties)) {
      const ns = n.properties[name];
      if (!ns) out.push(`${at}.${name}: removed from the response`);
      else {
        if (p.required.has(name) && !n.required.has(name)) out.push(`${at}.${name}: no longer always sent`);
        compareOutput(schema, ns, `${at}.${name}`, out);
      }
    }
  }
  if (pt.has('array') && nt.has('array') && prev.items && next.items) {
    compareOutput(prev.items as Schema, next.items as Schema, `${at}[]`, out);
  }
}

/** Problems of `next` for a client sending what the old document allowed (a request). */
function compareInput(prev: Schema, next: Schema, at: string, out: string[]): void {
  const pt = typesOf(prev);
  const nt = typesOf(next);
  for (const t of pt) if (!covers(nt, t)) out.push(`${at}: type ${t} is no longer accepted`);
  const pv = valuesOf(prev);
  const nv = valuesOf(next);
  if (nv) {
    if (!pv) out.push(`${at}: now limited to ${[...nv].join(', ')}`);
    else for (const v of pv) if (!nv.has(v)) out.push(`${at}: ${JSON.stringify(v)} is no longer accepted`);
  }
  if (pt.has('object') && nt.has('object')) {
    const p = objectOf(prev);
    const n = objectOf(next);
    for (const name of n.required) {
      if (!p.required.has(name)) out.push(`${at}.${name}: a new required field`);
    }
    for (const [name, schema] of Object.entries(p.properties)) {
      const ns = n.properties[name];
      if (!ns) {
        if (n.closed) out.push(`${at}.${name}: no longer accepted`);
      } else compareInput(schema, ns, `${at}.${name}`, out);
    }
  }
  if (pt.has('array') && nt.has('array') && prev.items && next.items) {
    compareInput(prev.items as Schema, next.items as Schema, `${at}[]`, out);
  }
}

const jsonSchemaAt = (holder: unknown): Schema | undefined => {
  const media = asRecord(asRecord(asRecord(holder).content)['application/json']);
  return media.schema ? (media.schema as Schema) : undefined;
};

/** Every change of `next` that breaks a client of `prev`, one line each; empty when none. */
export function breakingChanges(prev: Doc, next: Doc): string[] {
  const out: string[] = [];
  const prevPaths = asRecord(prev.paths);
  const nextPaths = asRecord(next.paths);
  for (const [path, prevItem] of Object.entries(prevPaths)) {
    for (const method of METHODS) {
      const prevOp = asRecord(prevItem)[method];
      if (!prevOp) continue;
      const at = `${method.toUpperCase()} ${path}`;
      const nextOp = asRecord(nextPaths[path])[method];
      if (!nextOp) {
        out.push(`${at}: route removed`);
        continue;
      }
      const po = asRecord(prevOp);
      const no = asRecord(nextOp);
      // Parameters: a new required one, or a narrower type for one the client may send.
      const params = (op: Record<string, unknown>) =>
        new Map(
          (Array.isArray(op.parameters) ? (op.parameters as Record<string, unknown>[]) : []).map((p) => [
            `${String(p.in)}.${String(p.name)}`,
            p,
          ]),
        );
      const pp = params(po);
      const np = params(no);
      for (const [key, p] of np) {
        if (p.required === true && pp.get(key)?.required !== true)
          out.push(`${at} ${key}: a new required parameter`);
      }
      for (const [key, p] of pp) {
        const n = np.get(key);
        if (!n) {
          if (String(p.in) === 'path') out.push(`${at} ${key}: path parameter removed`);
          continue;
        }
        compareInput(asRecord(p.schema), asRecord(n.schema), `${at} ${key}`, out);
      }
      // Body.
      const pb = jsonSchemaAt(po.requestBody);
      const nb = jsonSchemaAt(no.requestBody);
      if (nb && !pb && asRecord(no.requestBody).required === true) out.push(`${at}: a body is now required`);
      if (pb && nb) compareInput(pb, nb, `${at} body`, out);
      // Responses: a status the client handled, and what each one holds.
      const pr = asRecord(po.responses);
      const nr = asRecord(no.responses);
      for (const [status, response] of Object.entries(pr)) {
        const next = nr[status];
        if (!next) {
          if (status.startsWith('2')) out.push(`${at} ${status}: response removed`);
          continue;
        }
        const ps = jsonSchemaAt(response);
        const ns = jsonSchemaAt(next);
        if (ps && ns) compareOutput(ps, ns, `${at} ${status}`, out);
      }
    }
  }
  return out;
}

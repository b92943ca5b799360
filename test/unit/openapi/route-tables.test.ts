import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../functions/openapi/api/api-routes';
import { routeKeyOf } from '../../../functions/shared/api/route';
import { comunaParam, cutParam } from '../../../functions/shared/api/schemas';
import { entriesOf, system } from '../../../infra/system';

const declared = entriesOf(system.functions).flatMap(([, def]) =>
  def.triggers.flatMap((t) => (t.type === 'http' ? t.routes : [])),
);

describe('route tables', () => {
  it('document exactly the routes the system definition deploys, each once', () => {
    expect(new Set(API_ROUTES)).toEqual(new Set(declared));
    expect(API_ROUTES).toHaveLength(declared.length);
    expect(new Set(API_ROUTES.map(routeKeyOf)).size).toBe(API_ROUTES.length);
    expect(new Set(API_ROUTES.map((r) => r.operationId)).size).toBe(API_ROUTES.length);
  });

  it('give every path word a parameter schema, {comuna} a CUT code and {cut} a month', () => {
    for (const route of API_ROUTES) {
      const words = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(Object.keys(route.params?.shape ?? {}).sort(), routeKeyOf(route)).toEqual(words.sort());
      if (words.includes('comuna')) expect(route.params?.shape.comuna).toBe(comunaParam);
      if (words.includes('cut')) expect(route.params?.shape.cut).toBe(cutParam);
    }
    expect(comunaParam.safeParse('13101').success).toBe(true);
    expect(comunaParam.safeParse('2026-10').success).toBe(false);
    expect(cutParam.safeParse('13101').success).toBe(false);
  });

  it('hold every example to the schema of its status', () => {
    let checked = 0;
    for (const route of API_ROUTES) {
      for (const [status, response] of Object.entries(route.responses)) {
        if (response.example === undefined) continue;
        const parsed = response.schema.safeParse(response.example);
        expect(parsed.error?.issues ?? [], `${routeKeyOf(route)} ${status}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(API_ROUTES.length * 3);
  });

  it('give every route but the document a permission with the roles that hold it', () => {
    for (const route of API_ROUTES) {
      if (route.path === '/openapi.json') expect(route.access).toBe('public');
      else expect(route.access === 'public' ? [] : route.access.roles, routeKeyOf(route)).not.toEqual([]);
    }
  });

  it('document on every route with a permission the answers any token may get: 401, 403 and 500', () => {
    for (const route of API_ROUTES) {
      if (route.access === 'public') continue;
      expect(Object.keys(route.responses), routeKeyOf(route)).toEqual(
        expect.arrayContaining(['401', '403', '500']),
      );
    }
  });
});

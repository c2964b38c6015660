import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../api/openapi.js';
import { ROUTES, type Route } from '../../api/routes.js';

type Json = Record<string, unknown>;

const committedFile = new URL('../../docs/openapi.json', import.meta.url);
const doc = buildOpenApi() as Json & { paths: Record<string, Record<string, Json>> };
const routes = ROUTES as readonly Route[];

function operationOf(route: Route): Json {
  const op = doc.paths[route.path]?.[route.method.toLowerCase()];
  if (!op) throw new Error(`${route.method} ${route.path} is not in the document`);
  return op;
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refsIn(v, found);
    }
  }
  return found;
}

describe('docs/openapi.json', () => {
  it('is what buildOpenApi() produces today (run `npm run openapi` after changing a schema or route)', () => {
    const committed = JSON.parse(readFileSync(committedFile, 'utf8'));
    expect(committed).toEqual(buildOpenApi());
  });

  it('is written the way `npm run openapi` writes it', () => {
    expect(readFileSync(committedFile, 'utf8')).toBe(`${JSON.stringify(buildOpenApi(), null, 2)}\n`);
  });
});

describe('the OpenAPI document', () => {
  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toBe('3.1.0');
  });

  it('has one unique operationId per route of the route table', () => {
    const ids = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(routes.map((r) => r.operationId).sort());
  });

  it('has no operation that the route table does not have', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('resolves every $ref to a component', () => {
    const components = (doc.components as { schemas: Json }).schemas;
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(components[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
    }
  });

  describe.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_, route) => {
    it('documents the request body with the schema the API validates with', () => {
      const op = operationOf(route);
      if (!route.body) {
        expect(op.requestBody).toBeUndefined();
        return;
      }
      const schema = route.body.json();
      expect(op.requestBody).toEqual({ required: false, content: { 'application/json': { schema } } });
    });

    it('documents its path and query parameters', () => {
      const params = (operationOf(route).parameters ?? []) as Array<{
        name: string;
        in: string;
        required?: boolean;
      }>;
      if (route.path.includes('{id}'))
        expect(params).toContainEqual(expect.objectContaining({ name: 'id', in: 'path', required: true }));
      const queryNames = params.filter((p) => p.in === 'query').map((p) => p.name);
      const expected = route.query ? Object.keys(route.query.shape) : [];
      expect(queryNames.sort()).toEqual(expected.sort());
    });

    it('documents its success status and the error answers', () => {
      const responses = operationOf(route).responses as Json;
      expect(Object.keys(responses)).toContain(String(route.success));
      for (const status of ['400', '404', '409', '413', '415']) {
        expect(responses[status], status).toMatchObject({
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        });
      }
    });

    it('documents Idempotency-Key exactly when the route is a POST', () => {
      const params = (operationOf(route).parameters ?? []) as Array<{ name: string; in: string }>;
      const header = params.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      if (route.method === 'POST') expect(header).toBeDefined();
      else expect(header).toBeUndefined();
    });
  });
});

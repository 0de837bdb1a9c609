import { strict as assert } from 'node:assert';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Router } from 'express';
import type { ApiContext } from '../../../src/api/context';
import { FailedAuthLimiter } from '../../../src/api/failed-auth-limiter';
import { openApiDocument, type HttpMethod, type OpenApiDocument } from '../../../src/api/openapi';
import { apiRoutes, openRoutes } from '../../../src/api/router';
import { ResponseChecker } from '../../helpers/openapi';
import { startHarness, type Harness } from './api-harness';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** `GET /ups/{id}` for every route a router registers (express `:id(\\d+)` becomes `{id}`). */
function registered(router: Router): string[] {
  return (router.stack as Layer[]).flatMap((layer) => {
    if (!layer.route) return [];
    const path = layer.route.path.replace(/:(\w+)(\([^)]*\))?/g, '{$1}');
    return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${path}`);
  });
}

function documented(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
}

/** Every `$ref` in the document points at a schema it defines. */
function danglingRefs(document: OpenApiDocument): string[] {
  const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((match) => match[1] ?? '');
  return refs.filter((name) => !(name in document.components.schemas));
}

const unusedContext = {
  knex: undefined, siteId: 1, site: 's', version: '0', startedAt: 0, nut: { latest: () => [], servers: () => [] },
  policies: undefined, rules: undefined, samplesRetentionHours: 1, limiter: new FailedAuthLimiter(), now: Date.now,
} as unknown as ApiContext;

describe('OpenAPI document', () => {
  const document = openApiDocument('1.2.3');

  it('documents every registered route, and registers every documented one', () => {
    const routes = [...registered(openRoutes(unusedContext)), ...registered(apiRoutes(unusedContext))].sort();
    const paths = documented(document).sort();
    assert.deepEqual(routes.filter((route) => !paths.includes(route)), [], 'routes missing from the document');
    assert.deepEqual(paths.filter((path) => !routes.includes(path)), [], 'documented paths with no route');
    assert.equal(routes.length, paths.length, 'no route registered twice');
  });

  it('is well formed: unique operation ids, declared path parameters, resolvable refs', () => {
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.info.version, '1.2.3');
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    assert.equal(new Set(ids).size, ids.length);
    for (const [path, item] of Object.entries(document.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      for (const [method, operation] of Object.entries(item)) {
        const declared = operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
        assert.deepEqual(declared, inPath, `${method} ${path}: path parameters`);
        assert.ok(operation.responses['200'], `${method} ${path}: a 200 response`);
      }
    }
    assert.deepEqual(danglingRefs(document), []);
  });

  it('validates against the OpenAPI 3.1 specification schema (swagger-parser)', async () => {
    // validate() dereferences in place: give it a copy.
    type Api = Parameters<typeof SwaggerParser.validate>[0];
    await SwaggerParser.validate(structuredClone(document) as unknown as Api);
    const broken = structuredClone(document) as unknown as { info: Record<string, unknown> };
    delete broken.info.title;
    await assert.rejects(SwaggerParser.validate(broken as unknown as Api), 'a document without info.title is refused: the check can fail');
  });

  describe('real answers match the response schemas', () => {
    let api: Harness;
    const checker = new ResponseChecker(document);

    before(async () => {
      api = await startHarness();
    });

    after(async () => {
      await api.close();
    });

    const cases: Array<[HttpMethod, string, string, number]> = [
      ['get', '/health', '/health', 200],
      ['get', '/ups', '/ups', 200],
      ['get', '/ups/{id}', '/ups/42', 404],
      ['get', '/events', '/events?limit=5', 200],
      ['get', '/events', '/events?limit=0', 400],
      ['get', '/policies', '/policies', 200],
      ['get', '/policies/{name}', '/policies/drill', 200],
      ['post', '/policies/{name}/disarm', '/policies/drill/disarm', 200],
      ['post', '/policies/{name}/simulate', '/policies/drill/simulate?action=start', 200],
      ['get', '/jobs', '/jobs', 200],
      ['get', '/targets', '/targets', 200],
      ['get', '/archives', '/archives', 200],
    ];
    for (const [method, path, url, status] of cases) {
      it(`${method.toUpperCase()} ${url} → ${status}`, async () => {
        const answer = method === 'get' ? await api.get(url) : await api.post(url);
        assert.equal(answer.status, status, JSON.stringify(answer.body));
        checker.check(path, method, status, answer.body);
      });
    }

    it('a schema mismatch is caught (the check can fail)', () => {
      assert.throws(() => checker.check('/health', 'get', 200, { status: 'fine' }), /must have required property/);
    });
  });
});

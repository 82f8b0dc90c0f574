import supertest from 'supertest';
import { apiOpenApiDocument, apiRouter, createApp } from '../../src/api/app';
import type { OpenApiDocument } from '../../src/http/openapi';
import { createApiMetrics } from '../../src/metrics/api-metrics';
import { testConfig, testLogger } from '../harness/env';
import { validateOpenApi } from './openapi-validator';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ORDER_REASONS, REASON_PREFIXES } from '../../workflows/order/state-machine';
import { ERROR_CODES } from '../../src/api/error-codes';

// Routers are built without I/O: fakes stand in for the database and Temporal, which these tests never reach.
const config = testConfig();
const deps = { config, orm: {} as never, temporal: {} as never, logger: testLogger(), metrics: createApiMetrics() };

/**
 * `METHOD /path/{param}` for every route the API's router mounts with some configuration (HEAD is Koa's automatic
 * twin of GET): each payment provider's webhook route is mounted only when that provider is configured.
 */
function routerOperations(): string[] {
  const operations = new Set<string>();
  const layers = (['simulator', 'stripe'] as const).flatMap((provider) => apiRouter({ ...deps, config: { ...config, PAYMENT_PROVIDER: provider } }).stack);
  for (const layer of layers) {
    if (typeof layer.path !== 'string') continue;
    const path = layer.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of layer.methods) if (method !== 'HEAD') operations.add(`${method} ${path}`);
  }
  return [...operations].sort();
}

function documentedOperations(document: OpenApiDocument): string[] {
  return Object.entries(document.paths ?? {})
    .flatMap(([path, item]) =>
      Object.keys(item ?? {})
        .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    .sort();
}

describe('the OpenAPI document', () => {
  const document = apiOpenApiDocument();
  const operation = (method: string, path: string) =>
    (document.paths as Record<string, Record<string, any>>)[path]?.[method];

  it('documents every route of every router, and nothing that is not a route', () => {
    const routes = routerOperations();
    expect(routes.length).toBeGreaterThanOrEqual(17);
    expect(routes.filter((r) => !documentedOperations(document).includes(r))).toEqual([]);
    expect(documentedOperations(document).filter((d) => !routes.includes(d))).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document', () => {
    const result = validateOpenApi(document);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  const operations = () =>
    Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, any>).map(([method, op]) => ({ route: `${method} ${path}`, path, op })),
    );

  it('documents the request headers: Idempotency-Key, X-Request-Id; and the security schemes', () => {
    const headers = (op: any) => op.parameters.filter((p: any) => p.in === 'header').map((p: any) => p.name);
    expect(headers(operation('post', '/orders'))).toEqual(expect.arrayContaining(['Idempotency-Key', 'X-Request-Id']));
    expect(document.components?.securitySchemes?.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components?.securitySchemes?.paymentSignature).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Payment-Signature',
    });
    expect(document.components?.securitySchemes?.stripeSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'Stripe-Signature' });
    for (const { op } of operations()) expect(headers(op)).toContain('X-Request-Id');
  });

  it('gives every operation a unique operationId and a security entry ([] on public ones)', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.filter((id) => typeof id !== 'string' || id.length === 0)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { route, path, op } of operations()) {
      const signatures: Record<string, string> = { '/webhooks/payments': 'paymentSignature', '/webhooks/carrier': 'carrierSignature', '/webhooks/stripe': 'stripeSignature' };
      const expected = path.startsWith('/admin/')
        ? [{ adminToken: [] }]
        : signatures[path]
          ? [{ [signatures[path]]: [] }]
          : path.startsWith('/orders') || path.startsWith('/customers/')
            ? [{ customerToken: [] }, { adminToken: [] }]
            : path === '/metrics'
              ? [{ metricsToken: [] }, {}]
              : [];
      expect({ route, security: op.security }).toEqual({ route, security: expected });
      // Stripe expects a 400 for a bad signature; everything else refuses a caller with 401.
      const refusal = path === '/webhooks/stripe' ? '400' : '401';
      if (expected.length > 0) expect({ route, statuses: Object.keys(op.responses) }).toEqual({ route, statuses: expect.arrayContaining([refusal]) });
    }
  });

  it('documents the 4xx answers each request part can cause: 404 for path ids, 400 for queries and bodies, 413/415 for bodies', () => {
    for (const { route, op } of operations()) {
      const statuses = Object.keys(op.responses);
      const params = (op.parameters ?? []).map((p: any) => p.in);
      const needs = [
        ...(params.includes('path') ? ['404'] : []),
        ...(params.includes('query') ? ['400'] : []),
        ...(op.requestBody ? ['400', '413', '415'] : []),
      ];
      expect({ route, statuses }).toEqual({ route, statuses: expect.arrayContaining(needs) });
    }
  });

  it('documents bodies from the request schemas and every error code a route answers with', () => {
    expect(operation('post', '/orders').requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/PlaceOrderRequest',
    });
    expect(document.components?.schemas?.PlaceOrderRequest).toMatchObject({
      // customerId and customerEmail default to the token's subject and email claim.
      required: ['items', 'payment'],
      additionalProperties: false,
    });
    const errorCodes = (op: any, status: string) =>
      op.responses[status].content['application/json'].schema.properties.error.enum;
    const placeOrder = operation('post', '/orders');
    expect(Object.keys(placeOrder.responses).sort()).toEqual(['201', '202', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503']);
    expect(errorCodes(placeOrder, '401')).toEqual(['unauthorized']);
    expect(errorCodes(placeOrder, '403')).toEqual(['forbidden']);
    expect(errorCodes(placeOrder, '429')).toEqual(['rate_limited', 'too_many_open_orders', 'unpaid_units_exceeded']);
    expect(errorCodes(placeOrder, '503')).toEqual(expect.arrayContaining(['overloaded', 'service_unavailable']));
    expect(errorCodes(placeOrder, '409')).toEqual(['insufficient_stock', 'purchase_limit_exceeded', 'idempotency_key_reused']);
    expect(errorCodes(placeOrder, '422')).toEqual(['unknown_product', 'currency_mismatch', 'order_total_too_large', 'unsupported_payment_method']);
    expect(errorCodes(operation('post', '/webhooks/payments'), '401')).toEqual(['invalid_signature']);
    expect(errorCodes(operation('post', '/orders/{id}/cancel'), '409')).toEqual(['not_cancellable', 'order_disputed']);
    // The catalog's reads are conditional: ETag and Cache-Control on 200, If-None-Match → 304.
    for (const path of ['/products', '/products/{id}']) {
      const read = operation('get', path);
      expect(Object.keys(read.responses)).toEqual(expect.arrayContaining(['200', '304']));
      expect(Object.keys(read.responses['200'].headers)).toEqual(expect.arrayContaining(['ETag', 'Cache-Control']));
      expect(read.parameters.filter((p: any) => p.in === 'header').map((p: any) => p.name)).toEqual(expect.arrayContaining(['If-None-Match']));
    }
    expect(operation('get', '/customers/{customerId}/stats').responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CustomerStats',
    });
    expect(placeOrder.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Order',
    });
    // Every operation answers something documented on success and on an unexpected failure.
    for (const item of Object.values(document.paths ?? {})) {
      for (const op of Object.values(item as Record<string, any>)) {
        expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
        expect(errorCodes(op, '500')).toEqual(['internal_error']);
      }
    }
  });
});

// In-process: these answers need no socket, so the app's callback is called directly.
describe('GET /openapi.json and GET /docs', () => {
  const api = supertest(createApp(deps).callback());

  it('serves the document', async () => {
    const res = await api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).toEqual(JSON.parse(JSON.stringify(apiOpenApiDocument())));
  });

  it('serves the Swagger UI page from swagger-ui-dist, and every file it loads', async () => {
    const page = await api.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual(
      expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/swagger-initializer.js']),
    );
    for (const asset of assets) {
      const res = await api.get(asset).buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
      expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
      expect((res.body as Buffer).byteLength).toBeGreaterThan(100);
    }
    const initializer = await api.get('/docs/swagger-initializer.js').buffer(true).parse((r, done) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => done(null, text));
    });
    expect(initializer.body).toContain("url: '/openapi.json'");
  });

  it('serves nothing else from the package: an unknown or traversing name is a JSON 404', async () => {
    for (const name of ['package.json', '..%2F..%2Fpackage.json', 'swagger-ui.js.map']) {
      const res = await api.get(`/docs/${name}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: 'not_found' });
    }
  });
});

/** The rows of a table the API page (docs/api.md) fences with `<!-- name … -->` and `<!-- /name -->`, header left out. */
function apiDocTableRows(name: string): string[][] {
  const page = readFileSync(path.join(__dirname, '../../docs/api.md'), 'utf8');
  const table = page.split(`<!-- ${name}`)[1]?.split(`<!-- /${name} -->`)[0] ?? '';
  return table
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) => line.split('|').slice(1, -1));
}

describe("the order's reasons in the OpenAPI document and the API page", () => {
  const document = apiOpenApiDocument();
  const operation = (method: string, path: string) =>
    (document.paths as Record<string, Record<string, any>>)[path]?.[method];
  const resolve = (schema: any): any =>
    schema?.$ref ? resolve((document.components?.schemas as any)[schema.$ref.split('/').pop()]) : schema;
  const orderSchema = () =>
    resolve(operation('get', '/orders/{id}').responses['200'].content['application/json'].schema);
  /** The enum and the pattern of a reason property, whatever the union's spelling (anyOf / oneOf). */
  const vocabulary = (schema: any) => {
    const options: any[] = (schema.anyOf ?? schema.oneOf ?? [schema]).map(resolve);
    return {
      enum: options.flatMap((o) => o.enum ?? []),
      patterns: options.flatMap((o) => (o.pattern ? [o.pattern] : [])),
    };
  };

  it('declares failureReason and every history reason as the vocabulary enum, with a pattern for the prefixed forms', () => {
    const order = orderSchema();
    const history = resolve(resolve(order.properties.history).items).properties.reason;
    for (const property of [resolve(order.properties.failureReason), resolve(history)]) {
      const { enum: values, patterns } = vocabulary(property);
      expect([...values].sort()).toEqual([...ORDER_REASONS].sort());
      expect(patterns).toHaveLength(1);
      const pattern = new RegExp(patterns[0]);
      expect(
        ['compensation_failed:release_stock,void_or_refund_payment', 'step_failed:reserveOrderStock'].every((r) =>
          pattern.test(r),
        ),
      ).toBe(true);
      expect(['payment_declined_by_bank', 'step_failed:', 'compensation_failed'].some((r) => pattern.test(r))).toBe(
        false,
      );
    }
  });

  it("the API page's reason table documents every reason of the vocabulary, and no other", () => {
    // The reason columns (history reason, failureReason) of each row: every code written in backticks.
    const codes = apiDocTableRows('order-reasons')
      .flatMap((cells) => cells.slice(1, 3))
      .flatMap((cell) => [...cell.matchAll(/`([a-z_]+:?)(?:<[^`>]+>)?`/g)].map((m) => m[1]));
    const documented = new Set(codes);
    const undocumented = ORDER_REASONS.filter((r) => !documented.has(r) && !documented.has(`${r}:`));
    expect(undocumented).toEqual([]);
    expect(REASON_PREFIXES.filter((p) => !documented.has(p))).toEqual([]);
    const known = new Set<string>([...ORDER_REASONS, ...REASON_PREFIXES]);
    expect([...documented].filter((code) => !known.has(code))).toEqual([]);
  });
});

describe("the API page's error codes", () => {
  it('lists every error code with the status it answers with, and no other', () => {
    const documented = apiDocTableRows('error-codes').map(([status, code]) => ({
      code: code.trim().replace(/^`|`$/g, ''),
      status: Number(status.trim()),
    }));
    const expected = Object.entries(ERROR_CODES).map(([code, { status }]) => ({ code, status }));
    const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code);
    expect([...documented].sort(byCode)).toEqual([...expected].sort(byCode));
  });
});

import { SIMULATOR_TOKENS } from '../../src/wire/simulator-tokens';
import { SIMULATOR_ERROR_STATUS } from '../../src/simulator/error-codes';
import { request } from '../harness/http';
import { validateOpenApi } from '../operability/openapi-validator';
import type { RunningSimulator } from './helpers';
import { startSimulator } from './helpers';

/** The simulator documents itself: GET /openapi.json (generated from the route declarations) and a Swagger UI page. */
describe('simulator OpenAPI document and docs page', () => {
  let running: RunningSimulator;
  let document: any;
  beforeAll(async () => {
    running = await startSimulator();
    const res = await request(`${running.url}/openapi.json`);
    expect(res.status).toBe(200);
    document = res.body;
  });
  afterAll(async () => {
    await running.close();
  });

  const documented = () =>
    Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
  const mounted = () => {
    const operations = new Set<string>();
    for (const layer of running.sim.router.stack) {
      const path = String(layer.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const method of layer.methods) if (method !== 'HEAD') operations.add(`${method} ${path}`);
    }
    return [...operations].sort();
  };

  it('documents exactly the routes the simulator serves', () => {
    expect(mounted()).toEqual(documented());
    expect(documented()).toEqual(
      expect.arrayContaining([
        'POST /v1/payments',
        'GET /v1/payments/{id}',
        'POST /v1/payments/{id}/void',
        'POST /v1/payments/{id}/refunds',
        'POST /v1/accounts',
        'POST /v1/accounts/{customerId}/deposits',
        'POST /v1/notifications',
      ]),
    );
  });

  it('is a valid OpenAPI 3.1 document with an operationId, a security entry and its errors on every operation', () => {
    const result = validateOpenApi(document);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect({ route: `${method} ${path}`, operationId: typeof op.operationId, security: op.security }).toEqual({
          route: `${method} ${path}`,
          operationId: 'string',
          security: [],
        });
        expect(Object.keys(op.responses)).toContain('500');
        const validates = op.requestBody || (op.parameters ?? []).some((p: any) => p.in === 'query' || p.in === 'header');
        if (validates) expect(Object.keys(op.responses)).toContain('400');
        if ((op.parameters ?? []).some((p: any) => p.in === 'path')) expect(Object.keys(op.responses)).toContain('404');
      }
    }
  });

  it('names every token, the webhook it sends and the errors each route can answer', () => {
    for (const token of SIMULATOR_TOKENS) expect(document.info.description).toContain(`\`${token}\``);
    const createPayment = document.paths['/v1/payments'].post;
    expect(createPayment.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(createPayment.responses['409'].content['application/json'].schema.properties.error.enum).toEqual(['idempotency_key_reused']);
    expect(createPayment.responses['503'].content['application/json'].schema.properties.error.enum).toEqual(['service_unavailable']);
    expect(document.components.schemas.Payment.properties.token.enum).toEqual([...SIMULATOR_TOKENS]);
    expect(document.paths['/v1/payments/{id}/void'].post.responses['409'].content['application/json'].schema.properties.error.enum).toEqual(['not_voidable']);
    expect(document.webhooks.paymentEvent.post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PaymentWebhookEvent' });
  });

  it('documents only statuses its own error table gives', () => {
    const statuses = new Set(Object.values(SIMULATOR_ERROR_STATUS).map(String));
    for (const item of Object.values(document.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(item)) {
        for (const status of Object.keys(op.responses)) if (Number(status) >= 400) expect(statuses).toContain(status);
      }
    }
  });

  it('serves Swagger UI on /docs, from swagger-ui-dist, pointed at its own document', async () => {
    const page = await request(`${running.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).toContain('payment simulator');
    const initializer = await request(`${running.url}/docs/swagger-initializer.js`);
    expect(initializer.body).toContain("url: '/openapi.json'");
    const bundle = await fetch(`${running.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('answers errors with its own table: 405 for a wrong method, 404 JSON for an unknown route', async () => {
    const wrongMethod = await request(`${running.url}/v1/payments/pay_x/void`, { method: 'GET' });
    expect(wrongMethod).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
    expect(await request(`${running.url}/v2/anything`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});

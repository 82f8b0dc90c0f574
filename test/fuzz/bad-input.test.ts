import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { prepareDatabase } from '../../devtools/launcher/database';
import { request } from '../harness/http';
import { placedOrderId, placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';
import type { BadRequest, FuzzContext } from './cases';
import { adminCases, cancelCases, carrierWebhookCases, customerAuthCases, listOrdersCases, orderByIdCases, placeOrderCases, productReadCases, shippingCases, stripeWebhookCases, webhookCases, wrongRouteCases } from './cases';
import type { RawResponse } from './raw-http';
import { rawRequest } from './raw-http';

/**
 * A storm of malformed requests across every endpoint (generated with fast-check): each must be answered with a
 * 4xx in the API's JSON error shape, never a 5xx, and none may change the database, the stock or the provider.
 * The API runs on a database of its own, so the before/after comparison sees nothing but this test.
 */
const BODY_LIMIT = 8192;
const RUNS_PER_FAMILY = 130;

function checkRejected(c: BadRequest, res: RawResponse): void {
  const problems: string[] = [];
  if (res.status >= 500) problems.push('a server error');
  else if (res.status < 400) problems.push('accepted, but the request is malformed');
  if (c.expect && !c.expect.includes(res.status)) problems.push(`expected ${c.expect.join(' or ')}`);
  if (!res.contentType.startsWith('application/json')) problems.push(`content-type ${JSON.stringify(res.contentType)}`);
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    problems.push('a body that is not JSON');
  }
  const b = body as Record<string, unknown> | undefined;
  const shaped =
    typeof b === 'object' &&
    b !== null &&
    typeof b.error === 'string' &&
    typeof b.message === 'string' &&
    Object.keys(b).every((k) => k === 'error' || k === 'message' || k === 'details');
  if (body !== undefined && !shaped) problems.push('not the error shape {error, message, details?}');
  if (problems.length > 0) {
    throw new Error(`${c.label} — ${c.method} ${c.path.slice(0, 120)} answered ${res.status} ${res.text.slice(0, 300)}: ${problems.join('; ')}`);
  }
}

describe('bad-input storm', () => {
  // The API runs on a database of its own: <test database>_fuzz, recreated first.
  const databaseUrl = new URL(process.env.DATABASE_URL!);
  databaseUrl.pathname = `${databaseUrl.pathname}_fuzz`;
  beforeAll(() => prepareDatabase(databaseUrl.toString(), { recreate: true }));
  const stack = useStack({
    DATABASE_URL: databaseUrl.toString(),
    REQUEST_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    CANCEL_WINDOW: '1s',
    SIM_WEBHOOK_DELAY_MS: '20',
    // The storm's hundreds of bad signatures all come from 127.0.0.1: checked here for their 401, not the 429 a
    // source gets past its allowance (test/orders/webhook-abuse.test.ts checks that).
    WEBHOOK_REJECTIONS_PER_MINUTE: '1000000',
  });
  let ctx: FuzzContext;
  let sent = 0;
  let before: unknown;

  /** Everything a rejected request could have changed: every table's content, and the provider's records. */
  async function snapshot() {
    const tables = ['products', 'orders', 'order_history', 'stock_reservations', 'stock_movements', 'notifications', 'shipments', 'order_returns', 'order_item_cancellations'];
    const [row] = await stack.orm.em.fork().execute<Record<string, string>[]>(
      `SELECT ${tables.map((t) => `(SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${t} x) AS ${t}`).join(', ')}`,
    );
    const product = await stack.product(ctx.products[0]);
    return {
      tables: row,
      product: { onHand: product.onHand, reserved: product.reserved },
      payments: stack.simulator.payments.list().length,
      notifications: stack.simulator.notifications.list().length,
    };
  }

  /** The same requests, made by the customer who owns the fuzz orders (so they reach validation, not 401). */
  const asCustomer = (cases: fc.Arbitrary<BadRequest>) =>
    cases.map((c) => ({ ...c, headers: { authorization: `Bearer ${ctx.customerToken}`, ...c.headers } }));

  async function storm(cases: fc.Arbitrary<BadRequest>, numRuns = RUNS_PER_FAMILY) {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        sent++;
        checkRejected(c, await rawRequest(stack.api, c));
      }),
      { numRuns, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true },
    );
  }

  beforeAll(async () => {
    const products = [await stack.createProduct({ stock: 10 }), await stack.createProduct({ stock: 3 })];
    const customer = await stack.as('fuzz-customer');
    const order = (quantity: number) => placeOrder(stack, { customer: 'fuzz-customer', product: products[1].id, quantity });
    // A finished order of each kind, for the endpoints that take an order id.
    const placed = await order(1);
    expect(placed.status).toBe(201);
    await stack.waitForOrder(placed.body.id, (o) => o.status === 'COMPLETED');
    const rejected = await order(5);
    expect(rejected.status).toBe(409);
    await stack.simulator.webhooks.idle();
    ctx = {
      products: products.map((p) => p.id),
      completedOrderId: placed.body.id,
      rejectedOrderId: placedOrderId(rejected),
      existingSku: (await request(`${stack.api}/products/${products[0].id}`)).body.sku,
      adminToken: stack.config.ADMIN_TOKEN,
      customerToken: customer.authorization.slice('Bearer '.length),
      webhookSecret: stack.config.PAYMENT_WEBHOOK_SECRET,
      carrierWebhookSecret: stack.config.CARRIER_WEBHOOK_SECRET,
      stripeWebhookSecret: stack.config.STRIPE_WEBHOOK_SECRET!,
      bodyLimit: BODY_LIMIT,
    };
    before = await snapshot();
  }, 60_000);

  it('POST /orders: missing, mistyped, out-of-range and unknown fields, bad JSON, wrong content types, bad keys, oversized bodies', async () => {
    await storm(asCustomer(placeOrderCases(ctx)), 260);
  }, 120_000);

  it('GET /orders and GET /orders/:id: bad queries and ids', async () => {
    await storm(asCustomer(listOrdersCases()));
    await storm(asCustomer(orderByIdCases()));
  }, 120_000);

  it('POST /orders/:id/cancel: unknown orders, malformed bodies, finished orders', async () => {
    await storm(asCustomer(cancelCases(ctx)));
  }, 120_000);

  it('shipping: shipments, deliveries, returns, receipts, cancels of units, carrier webhooks', async () => {
    await storm(shippingCases(ctx), 200);
  }, 120_000);

  it('order routes without a customer token, or with one that must not be accepted: 401', async () => {
    await storm(customerAuthCases(ctx));
  }, 120_000);

  it('POST /webhooks/payments: missing, wrong, stale, future and replayed signatures; signed but malformed bodies', async () => {
    await storm(webhookCases(ctx), 200);
  }, 120_000);

  it('POST /webhooks/carrier: missing, wrong (the payment secret too), stale and replayed signatures; signed but malformed bodies', async () => {
    await storm(carrierWebhookCases(ctx), 150);
  }, 120_000);

  it('POST /webhooks/stripe with the simulator as provider: 404 whatever the signature (the route is not served)', async () => {
    // Bad JSON is refused by the body parser, before any route is looked up (400 as on every route).
    await storm(stripeWebhookCases(ctx).map((c) => ({ ...c, expect: c.label.startsWith('signed bad JSON') ? [400] : [404] })), 60);
  }, 120_000);

  it('admin endpoints with and without the token, and the public catalog reads', async () => {
    await storm(adminCases(ctx), 260);
    await storm(productReadCases());
    await storm(wrongRouteCases(), 60);
  }, 180_000);

  it('sent at least 1,000 malformed requests, and none of them changed anything', async () => {
    expect(sent).toBeGreaterThanOrEqual(1000);
    await stack.simulator.webhooks.idle();
    expect(await snapshot()).toEqual(before);
  });
});

describe('bad-input storm, PAYMENT_PROVIDER=stripe', () => {
  // The same database as above, recreated by it; nothing here may change it either.
  const databaseUrl = new URL(process.env.DATABASE_URL!);
  databaseUrl.pathname = `${databaseUrl.pathname}_fuzz`;
  const stack = useStack({
    DATABASE_URL: databaseUrl.toString(),
    REQUEST_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    PAYMENT_PROVIDER: 'stripe',
    WEBHOOK_REJECTIONS_PER_MINUTE: '1000000',
  });

  it('POST /webhooks/stripe: missing, wrong, stale and replayed Stripe signatures; signed bad JSON', async () => {
    const ctx = { completedOrderId: randomUUID(), stripeWebhookSecret: stack.config.STRIPE_WEBHOOK_SECRET! } as FuzzContext;
    await fc.assert(
      fc.asyncProperty(stripeWebhookCases(ctx), async (c) => checkRejected(c, await rawRequest(stack.api, c))),
      { numRuns: 100, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true },
    );
  }, 120_000);

  it("POST /webhooks/payments (the simulator's route) is 404", async () => {
    const res = await rawRequest(stack.api, { method: 'POST', path: '/webhooks/payments', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
  });
});

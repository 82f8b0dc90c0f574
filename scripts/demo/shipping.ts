import { randomBytes } from 'node:crypto';
import type { DemoOptions, DemoRow } from './demo-types';
import { call, reasonOf } from './demo-types';

/**
 * The demo's walk after payment: a customer orders two products that ship (2 books, 1 mug) and pays; the warehouse
 * dispatches everything in one shipment; the simulated carrier delivers it (its webhooks, SIM_DELIVERY_DELAY_MS);
 * the customer returns the mug; the warehouse receives it: the mug is restocked and refunded, and the order stays
 * DELIVERED (payment `partially_refunded`) until RETURN_WINDOW ends, when it becomes COMPLETED.
 */
export async function runShippingDemo(options: DemoOptions): Promise<DemoRow> {
  const log = options.log ?? (() => undefined);
  const run = randomBytes(4).toString('hex');
  const admin = { authorization: `Bearer ${options.adminToken}` };
  const customerId = `demo-${run}-shipping`;
  const customer = { authorization: `Bearer ${await options.customerToken(customerId)}` };
  const row = (status: string, reason: string, ok: boolean, temporalUiUrl = ''): DemoRow => ({
    scenario: 'shipped, delivered, one line returned',
    token: 'tok_visa',
    status,
    reason,
    expected: 'DELIVERED (return_received)',
    then: 'COMPLETED (return_window_ended) after RETURN_WINDOW',
    ok,
    temporalUiUrl,
  });
  const fail = (step: string, answer: { status: number; body: any }, order?: any) =>
    row(order?.status ?? String(answer.status), `${step} answered ${answer.status} ${answer.body?.error ?? ''}`.trim(), false, order?.temporalUiUrl);

  const products: Record<string, string> = {};
  for (const [name, priceCents] of [['book', 1800], ['mug', 950]] as const) {
    const created = await call(`${options.apiUrl}/admin/products`, {
      headers: admin,
      body: { sku: `demo-${run}-${name}`, name: `Demo ${name}`, priceCents, currency: 'EUR', stock: 20, requiresShipping: true },
    });
    if (created.status !== 201) return fail(`creating the ${name}`, created);
    products[name] = created.body.id;
  }
  const placed = await call(`${options.apiUrl}/orders`, {
    headers: { ...customer, 'idempotency-key': `demo-${run}-shipping` },
    body: {
      customerId,
      customerEmail: `${customerId}@example.com`,
      items: [
        { productId: products.book, quantity: 2 },
        { productId: products.mug, quantity: 1 },
      ],
      payment: { token: 'tok_visa' },
    },
  });
  if (placed.status !== 201) return fail('placing the order', placed);
  const orderUrl = `${options.apiUrl}/orders/${placed.body.id}`;
  const until = async (done: (order: any) => boolean): Promise<any> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const read = await call(orderUrl, { headers: customer });
      if (read.status === 200 && done(read.body)) return read.body;
      if (Date.now() > deadline) return read.body;
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const paid = await until((o) => o.status !== 'PENDING' && o.status !== 'RESERVED' && o.status !== 'AWAITING_PAYMENT');
  if (paid.status !== 'PAID') return row(paid.status, 'expected PAID', false, paid.temporalUiUrl);
  const shipment = await call(`${options.apiUrl}/admin/orders/${paid.id}/shipments`, {
    headers: { ...admin, 'idempotency-key': `demo-${run}-shipment` },
    body: { items: [{ productId: products.book, quantity: 2 }, { productId: products.mug, quantity: 1 }] },
  });
  if (shipment.status !== 201) return fail('the shipment', shipment, paid);
  log(`shipping order ${paid.id}: dispatched, tracking number ${shipment.body.trackingNumber}`);
  const delivered = await until((o) => o.status === 'DELIVERED');
  if (delivered.status !== 'DELIVERED') return row(delivered.status, 'the carrier did not deliver', false, delivered.temporalUiUrl);
  const opened = await call(`${orderUrl}/returns`, { headers: customer, body: { items: [{ productId: products.mug, quantity: 1 }], reason: 'wrong colour' } });
  if (opened.status !== 201) return fail('the return', opened, delivered);
  const received = await call(`${options.apiUrl}/admin/returns/${opened.body.id}/receive`, { headers: admin, body: {} });
  if (received.status !== 200) return fail('the receipt', received, delivered);
  const after = await until((o) => o.payment?.refundedCents === 950);
  const reason = reasonOf(after);
  log(`shipping order ${paid.id}: mug returned, ${after.payment?.refundedCents} cents refunded, status ${after.status}`);
  const ok = after.status === 'DELIVERED' && after.payment?.status === 'partially_refunded' && reason === 'return_received';
  return row(after.status, reason, ok, after.temporalUiUrl);
}

import { randomUUID } from 'node:crypto';
import { orderWorkflowId } from '../../workflows/order/definitions';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// Issue #26 (part 3): disputes on the simulator. tok_disputed's dispute opens SIM_DISPUTE_DELAY_MS after capture,
// while the saga still waits out its cancel window; the saga ends meanwhile, and the dispute decides where the
// order ends: won → the status the saga reached, lost → CHARGED_BACK with the disputed amount refunded.
describe('disputes', () => {
  const stack = useStack({ CANCEL_WINDOW: '2s', SIM_WEBHOOK_DELAY_MS: '20', SIM_DISPUTE_DELAY_MS: '300' });

  const order = async (id: string) => (await request(`${stack.api}/orders/${id}`, { headers: stack.admin })).body;
  const closeAtSimulator = (disputeId: string, outcome: 'won' | 'lost') =>
    request(`${stack.simulatorUrl}/v1/disputes/${disputeId}/close`, { body: { outcome } });
  const sagaEnded = (orderId: string) => stack.temporal.workflow.getHandle(orderWorkflowId(orderId)).result();

  async function disputedOrder(priceCents = 1500) {
    const product = await stack.createProduct({ stock: 5, priceCents });
    // Not waited for PAID: the dispute may open before a poll sees it. The history shows it.
    const placed = await acceptedOrder(stack, { by: 'admin', product: product.id, token: 'tok_disputed' });
    const disputed = await stack.waitForOrder(placed.id, (o) => o.status === 'DISPUTED');
    return { product, placed, disputed };
  }

  it('tok_disputed: PAID, then DISPUTED with the open dispute; refund and cancel → 409 order_disputed; won → back to where the saga got', async () => {
    const { placed, disputed } = await disputedOrder();
    expect(disputed.history.slice(-2)).toMatchObject([{ status: 'PAID' }, { status: 'DISPUTED' }]);
    expect(disputed.dispute).toEqual({ id: expect.stringMatching(/^dp_/), status: 'open', amountCents: 1500, reason: 'fraudulent' });
    expect(disputed.history.at(-1)).toMatchObject({ status: 'DISPUTED', reason: 'dispute_opened' });

    const refund = await request(`${stack.api}/admin/orders/${placed.id}/refunds`, {
      headers: { ...stack.admin, 'idempotency-key': randomUUID() },
      body: { amountCents: 100, reason: 'goodwill' },
    });
    expect(refund.status).toBe(409);
    expect(refund.body).toMatchObject({ error: 'order_disputed' });
    const cancel = await request(`${stack.api}/orders/${placed.id}/cancel`, { method: 'POST', headers: stack.admin, body: {} });
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ error: 'order_disputed' });

    // The saga's cancel window ends while the order is disputed: it stays DISPUTED, and COMPLETED is where it returns.
    await sagaEnded(placed.id);
    const during = await order(placed.id);
    expect(during.status).toBe('DISPUTED');
    expect(during.history.map((h: { status: string }) => h.status)).toEqual(['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID', 'DISPUTED', 'COMPLETED']);

    expect((await closeAtSimulator(disputed.dispute.id, 'won')).status).toBe(200);
    const won = await stack.waitForOrder(placed.id, (o) => o.dispute?.status === 'won');
    expect(won).toMatchObject({ status: 'COMPLETED', payment: { status: 'succeeded', capturedCents: 1500, refundedCents: 0 } });
    expect(won.history.at(-1)).toMatchObject({ status: 'COMPLETED', reason: 'dispute_won' });
    expect(await stack.notificationTemplates(placed.id, 3)).toEqual(['dispute_closed', 'dispute_opened', 'order_confirmed']);
  });

  it('lost → CHARGED_BACK, final: the disputed amount is refunded in the ledger and in the customer statistics', async () => {
    const customer = `cust-${randomUUID()}`;
    const product = await stack.createProduct({ stock: 5, priceCents: 1200 });
    const placed = await acceptedOrder(stack, { by: 'admin', customer, product: product.id, token: 'tok_disputed' });
    const disputed = await stack.waitForOrder(placed.id, (o) => o.status === 'DISPUTED');
    await closeAtSimulator(disputed.dispute.id, 'lost');
    const lost = await stack.waitForOrder(placed.id, (o) => o.status === 'CHARGED_BACK');
    expect(lost).toMatchObject({
      dispute: { id: disputed.dispute.id, status: 'lost', amountCents: 1200 },
      payment: { status: 'refunded', capturedCents: 1200, refundedCents: 1200 },
    });
    expect(lost.history.at(-1)).toMatchObject({ status: 'CHARGED_BACK', reason: 'dispute_lost' });

    // The saga's own end afterwards changes nothing.
    await sagaEnded(placed.id);
    expect((await order(placed.id)).status).toBe('CHARGED_BACK');
    // The outbox records the new statuses as events of their own, like every status change.
    const events = await stack.orm.em.fork().getConnection().execute<{ type: string; dispute: { status: string } | null }[]>(
      `SELECT type, order_snapshot->'dispute' AS dispute FROM webhook_events WHERE order_id = ? ORDER BY id`,
      [placed.id],
    );
    expect(events.slice(-2)).toMatchObject([
      { type: 'order.disputed', dispute: { status: 'open' } },
      { type: 'order.charged_back', dispute: { status: 'lost' } },
    ]);
    const stats = (await request(`${stack.api}/customers/${customer}/stats`, { headers: stack.admin })).body;
    expect(stats).toMatchObject({
      orders: { total: 1, byStatus: { CHARGED_BACK: 1 } },
      spent: [{ currency: 'EUR', paidCents: 1200, refundedCents: 1200, netCents: 0 }],
    });
  });

  it('dispute webhooks after the saga closed, reordered and duplicated: the close first opens and closes it once', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 800 });
    const completed = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'COMPLETED');
    const disputeId = `dp_${randomUUID()}`;
    const event = (type: string, status: string) => ({
      id: `evt_${randomUUID()}`,
      type,
      createdAt: new Date().toISOString(),
      data: {
        paymentId: completed.payment.providerPaymentId,
        orderId: completed.id,
        amountCents: 800,
        currency: 'EUR',
        dispute: { id: disputeId, status, amountCents: 500, reason: 'product_not_received' },
      },
    });
    const closed = event('dispute.closed', 'lost');
    expect((await stack.postWebhook(closed)).status).toBe(200);
    const lost = await stack.waitForOrder(completed.id, (o) => o.status === 'CHARGED_BACK');
    expect(lost.history.slice(-2)).toMatchObject([
      { status: 'DISPUTED', reason: 'dispute_opened' },
      { status: 'CHARGED_BACK', reason: 'dispute_lost' },
    ]);
    expect(lost.payment).toMatchObject({ status: 'partially_refunded', capturedCents: 800, refundedCents: 500 });

    const again = await stack.postWebhook(closed);
    expect(again.body).toMatchObject({ received: true, duplicate: true });
    expect((await stack.postWebhook(event('dispute.created', 'open'))).status).toBe(200);
    await stack.temporal.workflow.getHandle(`dispute-${disputeId}`).result();
    const after = await order(completed.id);
    expect(after).toMatchObject({ status: 'CHARGED_BACK', dispute: { id: disputeId, status: 'lost' }, payment: { refundedCents: 500 } });
    expect(after.history).toHaveLength(lost.history.length);
  });

  it('a dispute event for an order the service does not know is 404 (the provider retries); one without its dispute is 400', async () => {
    const unknown = await stack.postWebhook({
      id: `evt_${randomUUID()}`,
      type: 'dispute.created',
      createdAt: new Date().toISOString(),
      data: { paymentId: 'pay_x', orderId: randomUUID(), amountCents: 1, currency: 'EUR', dispute: { id: 'dp_x', status: 'open', amountCents: 1, reason: 'fraudulent' } },
    });
    expect(unknown.status).toBe(404);
    const product = await stack.createProduct({ stock: 5 });
    const paid = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'PAID');
    const bare = await stack.postWebhook({
      id: `evt_${randomUUID()}`,
      type: 'dispute.created',
      createdAt: new Date().toISOString(),
      data: { paymentId: paid.payment.providerPaymentId, orderId: paid.id, amountCents: 1, currency: 'EUR' },
    });
    expect(bare.status).toBe(400);
  });
});

// The simulator delivering every event twice and in random order, dispute events included.
describe('disputes with duplicated and shuffled webhooks', () => {
  const stack = useStack({ CANCEL_WINDOW: '1s', SIM_WEBHOOK_DELAY_MS: '20', SIM_DISPUTE_DELAY_MS: '200', SIM_DUPLICATE_WEBHOOKS: '1', SIM_SHUFFLE_WEBHOOKS: '1' });

  it('each dispute change is applied and told once', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 900 });
    const placed = await acceptedOrder(stack, { by: 'admin', product: product.id, token: 'tok_disputed' });
    const disputed = await stack.waitForOrder(placed.id, (o) => o.status === 'DISPUTED');
    await request(`${stack.simulatorUrl}/v1/disputes/${disputed.dispute.id}/close`, { body: { outcome: 'lost' } });
    const lost = await stack.waitForOrder(placed.id, (o) => o.status === 'CHARGED_BACK');
    await stack.temporal.workflow.getHandle(orderWorkflowId(placed.id)).result();
    const statuses = (await stack.waitForOrder(placed.id, () => true)).history.map((h: { status: string }) => h.status);
    expect(statuses.filter((s: string) => s === 'DISPUTED')).toHaveLength(1);
    expect(statuses.filter((s: string) => s === 'CHARGED_BACK')).toHaveLength(1);
    expect(lost.payment).toMatchObject({ refundedCents: 900, capturedCents: 900 });
    expect(await stack.notificationTemplates(placed.id, 3)).toEqual(['dispute_closed', 'dispute_opened', 'order_confirmed']);
  });
});

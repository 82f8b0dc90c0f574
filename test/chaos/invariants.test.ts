import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import { prepareDatabase } from '../../devtools/launcher/database';
import { HISTORY_IN_SEQUENCE, MONEY, answersAgree, checkInvariants } from '../../chaos/lib/invariants';
import type { ReceivedDelivery } from '../../chaos/lib/webhook-deliveries';
import { WEBHOOKS } from '../../chaos/lib/webhook-deliveries';

/**
 * The invariant checker must fail loudly: on a consistent state it finds nothing, and each kind of breach planted in
 * the database or at the provider is reported. (A checker that never fires would make every chaos run "green".)
 */
describe('invariant checker', () => {
  let db: PgClient;
  let databaseUrl: string;
  const provider = { payments: [] as unknown[], notifications: [] as unknown[] };
  let server: http.Server;
  let simulatorUrl: string;

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `${url.pathname}_invariants`;
    databaseUrl = url.toString();
    await prepareDatabase(databaseUrl, { recreate: true });
    db = new PgClient({ connectionString: databaseUrl });
    await db.connect();
    // The two lists the checker reads from the payment simulator, served from memory.
    server = http.createServer((req, res) => {
      const items = req.url?.startsWith('/v1/payments') ? provider.payments : provider.notifications;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ items }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    simulatorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await db?.end();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function product(onHand: number, reserved: number): Promise<string> {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO products (sku, name, price_cents, currency, on_hand, reserved) VALUES ($1, 'P', 250, 'EUR', $2, $3) RETURNING id`,
      [`inv-${randomUUID()}`, onHand, reserved],
    );
    return rows[0].id;
  }
  const movement = (productId: string, delta: number, kind: string, orderId: string | null = null) =>
    db.query(`INSERT INTO stock_movements (product_id, delta, kind, order_id, reason) VALUES ($1, $2, $3, $4, $5)`, [productId, delta, kind, orderId, kind === 'ADJUSTMENT' ? 'test' : null]);
  /** An order row; a paid one's ledger captured its total, a REFUNDED one's gave it all back (as the saga writes them). */
  async function order(status: string, totalCents: number | null, key: string | null = null, customerId = 'inv-customer'): Promise<string> {
    const id = randomUUID();
    const captured = ['PAID', 'COMPLETED', 'REFUNDED'].includes(status) ? (totalCents ?? 0) : 0;
    const refunded = status === 'REFUNDED' ? captured : 0;
    await db.query(
      `INSERT INTO orders (id, workflow_id, customer_id, customer_email, status, requested_items, total_cents, currency, idempotency_key, request_fingerprint,
         authorized_cents, captured_cents, refunded_cents)
       VALUES ($1, $2, $3, 'c@example.com', $4, '[]', $5, 'EUR', $6, 'fp', $7, $7, $8)`,
      [id, `order-${id}`, customerId, status, totalCents, key, captured, refunded],
    );
    return id;
  }
  const reservation = (orderId: string, productId: string, quantity: number, status: string, restocked = false) =>
    db.query(
      `INSERT INTO stock_reservations (order_id, product_id, quantity, unit_price_cents, currency, status, restocked_at) VALUES ($1, $2, $3, 250, 'EUR', $4, $5)`,
      [orderId, productId, quantity, status, restocked ? new Date() : null],
    );
  const payment = (orderId: string, status: string, amountCents: number): string => {
    const id = `pay_${randomUUID()}`;
    provider.payments.push({ id, orderId, status, amountCents, currency: 'EUR', customerId: 'inv-customer' });
    return id;
  };
  const check = () => checkInvariants({ databaseUrl, simulatorUrl });

  it('finds nothing wrong with a consistent ledger, orders and provider', async () => {
    const p = await product(7, 0); // 10 in, 1 adjusted in, 2 sold, 2 sold then restocked… = 10 + 1 − 4 + 2 − 2 (refund restock) = 7
    await movement(p, 10, 'INITIAL');
    await movement(p, 1, 'ADJUSTMENT');
    const paid = await order('COMPLETED', 500);
    await reservation(paid, p, 2, 'COMMITTED');
    await movement(p, -2, 'SALE', paid);
    const refunded = await order('REFUNDED', 500);
    await reservation(refunded, p, 2, 'COMMITTED', true);
    await movement(p, -2, 'SALE', refunded);
    await movement(p, 2, 'RESTOCK', refunded);
    const extra = await order('COMPLETED', 250);
    await reservation(extra, p, 1, 'COMMITTED');
    await movement(p, -1, 'SALE', extra);
    await movement(p, -1, 'ADJUSTMENT');
    const cancelled = await order('CANCELLED', 500, 'key-1');
    await reservation(cancelled, p, 2, 'RELEASED');
    await order('REJECTED', null, 'key-2');
    payment(paid, 'succeeded', 500);
    payment(extra, 'succeeded', 250);
    payment(refunded, 'refunded', 500);
    payment(cancelled, 'voided', 500);
    // A stray second charge of a paid order, refunded; a charge whose success webhook was lost, refunded on cancel.
    payment(extra, 'refunded', 250);
    const lostWebhook = await order('CANCELLED', null);
    payment(lostWebhook, 'refunded', 250);
    provider.notifications.push({ id: 'ntf_1', template: 'order_confirmed', data: { orderId: paid } });

    const report = await check();
    expect(report.violations).toEqual([]);
    expect(report.byStatus).toEqual({ COMPLETED: 2, REFUNDED: 1, CANCELLED: 2, REJECTED: 1 });
  });

  it('reports every kind of breach planted afterwards', async () => {
    const hot = await product(5, 3); // reserved 3, but only 1 unit ACTIVE; ledger says 6
    await movement(hot, 6, 'INITIAL');
    const pending = await order('AWAITING_PAYMENT', 250);
    await reservation(pending, hot, 1, 'ACTIVE');
    const underpaid = await order('PAID', 500);
    payment(underpaid, 'succeeded', 400);
    const doubleCharged = await order('COMPLETED', 250);
    payment(doubleCharged, 'succeeded', 250);
    payment(doubleCharged, 'succeeded', 250);
    const keptMoney = await order('CANCELLED', 250);
    payment(keptMoney, 'succeeded', 250);
    await reservation(keptMoney, hot, 1, 'ACTIVE');
    const stillPending = await order('REFUNDED', 250);
    payment(stillPending, 'pending', 250);
    await order('REJECTED', null, 'dup-key', 'dup-customer');
    await order('CANCELLED', null, 'dup-key', 'dup-customer');
    payment(randomUUID(), 'succeeded', 100);
    provider.notifications.push({ id: 'ntf_2', template: 'order_cancelled', data: { orderId: keptMoney } });
    provider.notifications.push({ id: 'ntf_3', template: 'order_cancelled', data: { orderId: keptMoney } });

    const found = new Set((await check()).violations.map((v) => v.invariant));
    expect([...found].sort()).toEqual(
      [
        'reserved = sum of ACTIVE reservations',
        'onHand = initial + adjustments − committed + restocked',
        'every order ends in a terminal state',
        'a finished order holds no ACTIVE reservation',
        MONEY.paidOnce,
        MONEY.exactTotal,
        MONEY.chargeBelongs,
        MONEY.refundedProven,
        MONEY.cancelledKeepsNothing,
        MONEY.nothingPending,
        MONEY.ledgerMatches,
        'an order placed with a key exists once',
        'at most one notification per (order, kind)',
      ].sort(),
    );
  });

  it('names each money breach on the order or the charge that has it, and only there', async () => {
    const expected: [subject: string, invariant: string][] = [];
    const paidWithoutCharge = await order('COMPLETED', 250);
    payment(paidWithoutCharge, 'failed', 250);
    expected.push([paidWithoutCharge, MONEY.paidOnce], [paidWithoutCharge, MONEY.ledgerMatches]);

    const paidTwice = await order('COMPLETED', 250);
    const first = payment(paidTwice, 'succeeded', 250);
    const second = payment(paidTwice, 'succeeded', 250);
    expected.push([paidTwice, MONEY.paidOnce], [paidTwice, MONEY.ledgerMatches], [first, MONEY.chargeBelongs], [second, MONEY.chargeBelongs]);

    const refundedWithoutRefund = await order('REFUNDED', 250);
    payment(refundedWithoutRefund, 'voided', 250);
    expected.push([refundedWithoutRefund, MONEY.refundedProven]);

    const cancelledKeepingMoney = await order('CANCELLED', 250);
    const kept = payment(cancelledKeepingMoney, 'succeeded', 250);
    expected.push([cancelledKeepingMoney, MONEY.cancelledKeepsNothing], [cancelledKeepingMoney, MONEY.ledgerMatches], [kept, MONEY.chargeBelongs]);

    const rejectedButCharged = await order('REJECTED', null);
    const stray = payment(rejectedButCharged, 'succeeded', 250);
    expected.push([stray, MONEY.chargeBelongs], [rejectedButCharged, MONEY.ledgerMatches]);

    const orphan = payment(randomUUID(), 'succeeded', 100);
    expected.push([orphan, MONEY.chargeBelongs]);

    // Not breaches: a paid order whose stray second charge was refunded; a cancelled order whose charge was refunded.
    const paidWithRefundedStray = await order('COMPLETED', 250);
    payment(paidWithRefundedStray, 'succeeded', 250);
    payment(paidWithRefundedStray, 'refunded', 250);
    const cancelledRefunded = await order('CANCELLED', 250);
    payment(cancelledRefunded, 'refunded', 250);

    // Partial refunds: a COMPLETED order refunded 100 of 250 holds 150 at the provider (fine); one whose ledger
    // says 100 was refunded while the provider gave back 50 is a breach.
    const partlyRefunded = await order('COMPLETED', 250);
    await db.query(`UPDATE orders SET refunded_cents = 100 WHERE id = $1`, [partlyRefunded]);
    provider.payments.push({ id: `pay_${randomUUID()}`, orderId: partlyRefunded, status: 'succeeded', amountCents: 250, refundedCents: 100, currency: 'EUR', customerId: 'inv-customer' });
    const ledgerWrong = await order('COMPLETED', 250);
    await db.query(`UPDATE orders SET refunded_cents = 100 WHERE id = $1`, [ledgerWrong]);
    provider.payments.push({ id: `pay_${randomUUID()}`, orderId: ledgerWrong, status: 'succeeded', amountCents: 250, refundedCents: 50, currency: 'EUR', customerId: 'inv-customer' });
    expected.push([ledgerWrong, MONEY.ledgerMatches]);

    const subjects = new Set(expected.map(([subject]) => subject).concat(paidWithRefundedStray, cancelledRefunded, partlyRefunded));
    const found = (await check()).violations.filter((v) => subjects.has(v.subject)).map((v): [string, string] => [v.subject, v.invariant]);
    expect(found.sort()).toEqual(expected.sort());
  });

  it('reports a committed status change never delivered, a delivery of one that never committed, first arrivals out of order and an unsigned delivery', async () => {
    const deliveries: ReceivedDelivery[] = [];
    /** Writes the order's history rows (seq 0, 1, …, one second apart unless `seconds` says) and answers them as a delivery's body shows them. */
    async function historyOf(orderId: string, statuses: string[], seconds = statuses.map((_, seq) => seq)): Promise<{ status: string; at: string }[]> {
      const rows: { status: string; at: string }[] = [];
      for (const [seq, status] of statuses.entries()) {
        const at = new Date(Date.UTC(2026, 11, 5, 8, 0, seconds[seq])).toISOString();
        await db.query(`INSERT INTO order_history (order_id, seq, status, at) VALUES ($1, $2, $3, $4)`, [orderId, seq, status, at]);
        rows.push({ status, at });
      }
      return rows;
    }
    /** The delivery of the event of the history's last row, as the relay sends it; `webhookId` repeats a delivery. */
    const deliver = (orderId: string, history: { status: string; at: string }[], options: { webhookId?: string; verified?: boolean; type?: string } = {}) => {
      const status = history[history.length - 1].status;
      const webhookId = options.webhookId ?? `msg_${randomUUID()}`;
      const body = JSON.stringify({ type: options.type ?? `order.${status.toLowerCase()}`, timestamp: history[history.length - 1].at, data: { order: { id: orderId, status, history } } });
      deliveries.push({ webhookId, body, verified: options.verified ?? true, answeredWith: 200 });
      return webhookId;
    };

    // Delivered in full, in order, one event twice (at least once), a 500-answered attempt before it, and a history
    // row that keeps the status (a partial refund) which is no event: nothing to report.
    const fine = await order('COMPLETED', 250);
    const fineHistory = await historyOf(fine, ['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED', 'COMPLETED']);
    deliveries.push({ webhookId: 'msg_failed_attempt', body: '{}', verified: true, answeredWith: 500 });
    for (let i = 1; i <= 5; i++) {
      const id = deliver(fine, fineHistory.slice(0, i));
      if (i === 2) deliver(fine, fineHistory.slice(0, i), { webhookId: id });
    }
    const missing = await order('CANCELLED', 250);
    const missingHistory = await historyOf(missing, ['PENDING', 'RESERVED', 'CANCELLED']);
    deliver(missing, missingHistory.slice(0, 1));
    deliver(missing, missingHistory.slice(0, 3));
    const phantom = await order('CANCELLED', 250);
    const phantomHistory = await historyOf(phantom, ['PENDING', 'CANCELLED']);
    deliver(phantom, phantomHistory.slice(0, 1));
    deliver(phantom, phantomHistory.slice(0, 2));
    deliver(phantom, [phantomHistory[0], { status: 'PAID', at: phantomHistory[1].at }]);
    const shuffled = await order('CANCELLED', 250);
    const shuffledHistory = await historyOf(shuffled, ['PENDING', 'RESERVED', 'CANCELLED']);
    deliver(shuffled, shuffledHistory.slice(0, 2));
    deliver(shuffled, shuffledHistory.slice(0, 1));
    deliver(shuffled, shuffledHistory.slice(0, 3));
    const unsignedOrder = await order('REJECTED', null);
    const unsignedHistory = await historyOf(unsignedOrder, ['REJECTED']);
    const unsigned = deliver(unsignedOrder, unsignedHistory, { verified: false });
    // A saga that re-ran an earlier step after a later one (RESERVED #1 written after REJECTED #2): the orders row
    // ignored that write, so no event was owed for it; the history itself is reported.
    const rerun = await order('COMPLETED', 250);
    const rerunHistory = await historyOf(rerun, ['PENDING', 'RESERVED', 'REJECTED', 'PAID'], [0, 5, 1, 6]);
    deliver(rerun, rerunHistory.slice(0, 1));
    deliver(rerun, [rerunHistory[0], rerunHistory[2]]);
    deliver(rerun, rerunHistory);
    const nowhere = randomUUID();
    deliver(nowhere, [{ status: 'PENDING', at: new Date().toISOString() }]);

    const report = await checkInvariants({ databaseUrl, simulatorUrl, webhookDeliveries: deliveries });
    const subjects = new Set([fine, missing, phantom, shuffled, unsignedOrder, unsigned, rerun, nowhere]);
    // These orders have no charges at the provider: only the webhook invariants are looked at here.
    const webhookInvariants = new Set<string>([...Object.values(WEBHOOKS), HISTORY_IN_SEQUENCE]);
    const found = report.violations.filter((v) => subjects.has(v.subject) && webhookInvariants.has(v.invariant)).map((v): [string, string] => [v.subject, v.invariant]);
    expect(found.sort()).toEqual(
      [
        [missing, WEBHOOKS.delivered],
        [phantom, WEBHOOKS.noPhantom],
        [shuffled, WEBHOOKS.inOrder],
        [unsigned, WEBHOOKS.signed],
        [nowhere, WEBHOOKS.noPhantom],
        [rerun, HISTORY_IN_SEQUENCE],
      ].sort(),
    );
    expect(report.webhooks).toMatchObject({ deliveries: 19, distinct: 18 });
  });
});

describe('answers to one idempotency key', () => {
  it('agree when they share one final status; a provisional 202 may precede it', () => {
    expect(answersAgree([201, 201])).toBe(true);
    expect(answersAgree([202, 201])).toBe(true);
    expect(answersAgree([202, 409])).toBe(true);
    expect(answersAgree([201, 409])).toBe(false);
    expect(answersAgree([202, 201, 409])).toBe(false);
  });
});

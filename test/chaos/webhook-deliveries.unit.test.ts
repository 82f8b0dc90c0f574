import type { HistoryRow, ReceivedDelivery, RefundRow } from '../../chaos/lib/webhook-deliveries';
import { WEBHOOKS, checkWebhookDeliveries } from '../../chaos/lib/webhook-deliveries';

/** The webhook invariant on its own: history rows and deliveries in memory. */
const rows = (orderId: string, statuses: string[]): HistoryRow[] =>
  statuses.map((status, seq) => ({ order_id: orderId, seq, status, at: new Date(Date.UTC(2026, 11, 5, 8, 0, seq)) }));

function delivery(history: HistoryRow[], upTo: number, webhookId = `msg_${history[0].order_id}_${upTo}`, answeredWith = 200): ReceivedDelivery {
  const shown = history.slice(0, upTo + 1).map((r) => ({ status: r.status, at: r.at.toISOString() }));
  const status = shown[upTo].status;
  return { webhookId, verified: true, answeredWith, body: JSON.stringify({ type: `order.${status.toLowerCase()}`, data: { order: { id: history[0].order_id, status, history: shown } } }) };
}

function refundCreated(orderId: string, refundId: string, webhookId = `msg_refund_${refundId}`): ReceivedDelivery {
  return { webhookId, verified: true, answeredWith: 200, body: JSON.stringify({ type: 'refund.created', data: { order: { id: orderId, status: 'COMPLETED', history: [] }, refund: { id: refundId } } }) };
}

function check(history: HistoryRow[], deliveries: ReceivedDelivery[], refunds: RefundRow[] = []) {
  const violations: [string, string][] = [];
  const stats = checkWebhookDeliveries(history, refunds, deliveries, (invariant, subject) => violations.push([invariant, subject]));
  return { violations, stats };
}

describe('the outbound webhook invariant', () => {
  const a = rows('a', ['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID', 'PAID']);

  it('holds for every change delivered in order, with redeliveries, failed attempts and rows that keep the status', () => {
    const deliveries = [delivery(a, 0), delivery(a, 1, 'x', 500), delivery(a, 1, 'x'), delivery(a, 0), delivery(a, 2), delivery(a, 3)];
    expect(check(a, deliveries)).toEqual({ violations: [], stats: { changes: 4, refunds: 0, shipments: 0, receivedReturns: 0, deliveries: 5, distinct: 4 } });
  });

  it('owes one shipment.dispatched per recorded shipment and one return.received per received return', () => {
    const part = (type: string, key: 'shipment' | 'return', id: string): ReceivedDelivery => ({
      webhookId: `msg_${id}`,
      verified: true,
      answeredWith: 200,
      body: JSON.stringify({ type, data: { order: { id: 'a', status: 'SHIPPED', history: [] }, [key]: { id } } }),
    });
    const deliveries = [0, 1, 2, 3].map((i) => delivery(a, i));
    const parts = { shipments: new Set(['shp_1', 'shp_2']), receivedReturns: new Set(['ret_1']) };
    const violations: [string, string][] = [];
    const stats = checkWebhookDeliveries(a, [], [...deliveries, part('shipment.dispatched', 'shipment', 'shp_1'), part('return.received', 'return', 'ret_1')], (invariant, subject) => violations.push([invariant, subject]), parts);
    expect(violations).toEqual([[WEBHOOKS.delivered, 'shp_2']]);
    expect(stats).toMatchObject({ shipments: 2, receivedReturns: 1, distinct: 6 });
  });

  it('owes no event for a history row whose write a later step beat (the orders row ignored it)', () => {
    const b = rows('b', ['PENDING', 'RESERVED', 'REJECTED']);
    b[1].at = new Date(Date.UTC(2026, 11, 5, 9)); // RESERVED #1 written after REJECTED #2
    const rejected = delivery(b, 2);
    const shown = JSON.parse(rejected.body);
    shown.data.order.history.splice(1, 1); // when it was delivered, #1 was not written yet
    expect(check(b, [delivery(b, 0), { ...rejected, body: JSON.stringify(shown) }]).violations).toEqual([]);
  });

  it('wants each recorded refund delivered as refund.created, and no refund.created of a refund never recorded', () => {
    const refunds = [{ order_id: 'a', refund_id: 'r1' }, { order_id: 'a', refund_id: 'r2' }];
    const deliveries = [delivery(a, 0), delivery(a, 1), delivery(a, 2), delivery(a, 3), refundCreated('a', 'r1'), refundCreated('a', 'r1'), refundCreated('a', 'r3')];
    expect(check(a, deliveries, refunds).violations.sort()).toEqual(
      [
        [WEBHOOKS.delivered, 'a'],
        [WEBHOOKS.noPhantom, 'a'],
      ].sort(),
    );
  });

  it('names the order missing a change, the phantom, the reordered order and the unsigned delivery', () => {
    const b = rows('b', ['PENDING', 'CANCELLED']);
    const c = rows('c', ['PENDING', 'RESERVED']);
    const unsigned = { ...delivery(c, 0), verified: false };
    const keptStatus = delivery(a, 4); // history row #4 keeps PAID: no event was ever written for it
    const { violations } = check([...a, ...b, ...c], [delivery(a, 0), delivery(a, 2), delivery(a, 1), delivery(a, 3), keptStatus, delivery(b, 0), unsigned, delivery(c, 1)]);
    expect(violations.sort()).toEqual(
      [
        [WEBHOOKS.inOrder, 'a'],
        [WEBHOOKS.noPhantom, 'a'],
        [WEBHOOKS.delivered, 'b'],
        [WEBHOOKS.signed, 'msg_c_0'],
      ].sort(),
    );
  });
});

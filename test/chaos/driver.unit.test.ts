import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrderDriver } from '../../chaos/lib/driver';
import type { PlannedOrder } from '../../chaos/lib/plan';
import { freePort } from '../../devtools/launcher/ports';

/**
 * The chaos driver against stand-in API instances: it spreads requests over every instance, and when one does not
 * answer it goes on with another, keeping the retry rules the idempotency checks rely on (a keyed request is retried
 * whatever happened; one without a key only when it surely never arrived).
 */
describe('chaos driver, several API instances', () => {
  const servers: http.Server[] = [];

  /** An API instance that answers every placement with `status` (201 with a fresh order id) and every cancel with 200. */
  async function instance(status: number): Promise<{ url: string; placements: () => number }> {
    let placements = 0;
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/orders') {
        placements++;
        res.statusCode = status;
        res.end(JSON.stringify(status === 201 ? { id: randomUUID(), status: 'RESERVED' } : { error: 'internal', message: 'down' }));
      } else {
        res.end(JSON.stringify({ status: 'CANCELLED' }));
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, placements: () => placements };
  }

  afterAll(async () => {
    // Also the driver's keep-alive connections, which would otherwise hold the test process open.
    await Promise.all(
      servers.map(
        (s) =>
          new Promise((resolve) => {
            s.close(resolve);
            s.closeAllConnections();
          }),
      ),
    );
  });

  const order = (index: number, keyed: boolean, cancel = false): PlannedOrder => ({
    index,
    atMs: 0,
    token: 'tok_visa',
    body: { customerId: `c-${index}`, customerEmail: `c-${index}@example.com`, items: [{ productId: 'p', quantity: 1 }], payment: { token: 'tok_visa' } },
    idempotencyKey: keyed ? `k-${index}` : undefined,
    concurrentCopies: 0,
    cancelAfterMs: cancel ? 0 : undefined,
  });

  it('round-robins over the instances and sends a request that found one down to another', async () => {
    const up = await instance(201);
    const down = `http://127.0.0.1:${await freePort()}`; // nothing listens: connection refused
    const driver = new OrderDriver([down, up.url], () => undefined, {});
    const plan = [order(0, true, true), order(1, false, true), order(2, true), order(3, false)];
    await driver.run(plan, 1);

    expect(up.placements()).toBe(4);
    expect(driver.stats.answers).toEqual({ '201': 4 });
    expect(driver.stats.answeredBy).toEqual({ 'API 2': 6 }); // 4 placements and 2 cancels
    // The round robin started every other request (3 of 6) on the instance that is down; each moved on once.
    expect(driver.stats.failovers).toBe(3);
    expect(driver.stats.cancels).toEqual({ '200 CANCELLED': 2 });
    expect(driver.stats.unknownOutcome).toBe(0);
    expect(driver.observations.acknowledged.size).toBe(4);
    expect([...driver.observations.keyed.values()].map((k) => k.statuses)).toEqual([new Set([201]), new Set([201])]);
  });

  it('retries a keyed request that got a 5xx on the other instance, but not one without a key', async () => {
    const failing = await instance(500);
    const up = await instance(201);
    const driver = new OrderDriver([failing.url, up.url], () => undefined, {});
    // One at a time: the round robin starts orders 0 and 2 on the failing instance, order 1 on the other.
    await driver.run([order(0, true), order(1, false), order(2, false)], 1);

    // Order 0 (keyed) moved on and was answered; order 2 (no key) may have started a saga, so its 500 stands.
    expect(driver.stats.answers).toEqual({ '201': 2, '500 internal': 1 });
    expect(driver.stats.unknownOutcome).toBe(1);
    expect(failing.placements()).toBe(2);
    expect(up.placements()).toBe(2);
  });
});

/**
 * The warehouse of the chaos driver ships what the order says remains, and ships orders no answer named: a stand-in
 * API holds the orders, answers some requests with a 500 after applying them (an answer lost), and records shipments.
 */
describe('chaos driver, the warehouse', () => {
  const SHIPS_A = randomUUID();
  const SHIPS_B = randomUUID();
  let server: http.Server;
  let url: string;
  const orders = new Map<string, { id: string; customerId: string; status: string; items: { productId: string; quantity: number }[]; cancelledItems: { productId: string; quantity: number }[] }>();
  const shipments: { orderId: string; items: { productId: string; quantity: number }[] }[] = [];
  let cancels = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        const body = raw ? JSON.parse(raw) : undefined;
        const path = new URL(req.url!, 'http://x');
        const send = (status: number, json: unknown) => {
          res.statusCode = status;
          res.end(JSON.stringify(json));
        };
        if (req.method === 'POST' && path.pathname === '/orders') {
          const id = randomUUID();
          orders.set(id, { id, customerId: body.customerId, status: 'PAID', items: body.items, cancelledItems: [] });
          // Without a key, the order exists but its answer is lost.
          return req.headers['idempotency-key'] ? send(201, { id, status: 'RESERVED' }) : send(500, { error: 'internal', message: 'lost' });
        }
        if (req.method === 'GET' && path.pathname === '/orders') {
          const items = [...orders.values()].filter((o) => o.customerId === path.searchParams.get('customerId'));
          return send(200, { items: items.map(({ id, status, items }) => ({ id, status, items })), nextCursor: null });
        }
        // /orders/{id}, /orders/{id}/cancel, /admin/orders/{id}/shipments
        const segments = path.pathname.split('/').filter(Boolean);
        const order = orders.get(segments[0] === 'admin' ? segments[2] : segments[1]);
        if (!order) return send(404, { error: 'not_found', message: 'no such order' });
        if (req.method === 'GET') return send(200, { ...order, shipments: shipments.filter((s) => s.orderId === order.id) });
        if (path.pathname.endsWith('/cancel')) {
          // The cancel applies, but its first answer is lost; the retry finds the units already cancelled.
          cancels++;
          if (cancels === 1) {
            order.cancelledItems.push(...body.items);
            return send(500, { error: 'internal', message: 'lost' });
          }
          return send(409, { error: 'not_cancellable', message: 'already cancelled' });
        }
        if (path.pathname.endsWith('/shipments')) {
          shipments.push({ orderId: order.id, items: body.items });
          order.status = 'SHIPPED';
          return send(201, { id: randomUUID(), status: 'dispatched', items: body.items });
        }
        send(404, { error: 'not_found', message: req.url });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  });

  const shippingOrder = (index: number, keyed: boolean, cancelFirstLine: boolean): PlannedOrder => ({
    index,
    atMs: 0,
    token: 'tok_visa',
    body: {
      customerId: `w-${index}`,
      customerEmail: `w-${index}@example.com`,
      items: [
        { productId: SHIPS_A, quantity: 2 },
        { productId: SHIPS_B, quantity: 1 },
      ],
      payment: { token: 'tok_visa' },
    },
    idempotencyKey: keyed ? `wk-${index}` : undefined,
    concurrentCopies: 0,
    fulfilment: { cancelFirstLine, shipments: 1, replayShipments: false, returnOne: false },
  });

  it('ships what the order says remains after a cancel whose answer was lost, and an order no answer named', async () => {
    const driver = new OrderDriver([url], () => undefined, {}, new Set([SHIPS_A, SHIPS_B]));
    await driver.run([shippingOrder(0, true, true), shippingOrder(1, false, false)], 1);

    const [answered] = [...orders.values()].filter((o) => o.customerId === 'w-0');
    const [unnamed] = [...orders.values()].filter((o) => o.customerId === 'w-1');
    // The cancelled line is not shipped again (which the service would refuse with a 422, leaving the order PAID).
    expect(shipments.filter((s) => s.orderId === answered.id).map((s) => s.items)).toEqual([[{ productId: SHIPS_B, quantity: 1 }]]);
    // The order whose answer was lost is found in its customer's list and shipped whole.
    expect(shipments.filter((s) => s.orderId === unnamed.id).map((s) => s.items)).toEqual([unnamed.items]);
    expect(driver.stats.foundByWarehouse).toBe(1);
    expect(driver.stats.unknownOutcome).toBe(1);
  });
});

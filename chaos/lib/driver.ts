import type { ClientObservations } from './invariants';
import type { Exchange, ExchangeInit } from './http';
import { exchange, sleep } from './http';
import type { FulfilmentPlan, PlannedOrder } from './plan';

export interface DriverStats {
  /** Final answers by HTTP status (and error code), first requests, copies and replays alike. */
  answers: Record<string, number>;
  /** Answers (any status below 500) by API instance (`API 1`, …): the round robin spreads requests over all of them. */
  answeredBy: Record<string, number>;
  /** Requests that got no answer (connection refused or reset, timeout) and were retried with their key. */
  retried: number;
  /** Requests without a key that failed in a way that leaves the outcome unknown (they are not retried). */
  unknownOutcome: number;
  /** Retries sent to another API instance than the one that gave no answer (several instances only). */
  failovers: number;
  replays: number;
  concurrentCopies: number;
  cancels: Record<string, number>;
  /** Operators' partial refunds of COMPLETED orders, by answer (a replay of each with its key included). */
  refunds: Record<string, number>;
  /** Goods that ship: the warehouse's shipments and receipts, the customer's cancels of lines and returns, by answer. */
  shipping: Record<string, number>;
  stockAdjustments: number;
  /**
   * Orders of goods that ship which no answer named (no key and the answer lost, or every retry used up) but which the
   * service holds: the warehouse found them in the customers' order lists and shipped them as it does any other.
   */
  foundByWarehouse: number;
}

/** Units of an order's lines, as the routes take and the order shows them. */
type Units = { productId: string; quantity: number }[];

/** How long one request keeps being retried through outages before the client gives up. */
const RETRY_BUDGET_MS = 120_000;

/** The statuses of an order whose goods may still have to leave the warehouse. */
const OPEN_BEFORE_DELIVERY = new Set(['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID', 'PARTIALLY_SHIPPED']);

/** The API answered (a 5xx is no answer: the instance or what it depends on is down). */
const answered = (res: Exchange): boolean => res.ok && res.status < 500;

/**
 * The customers of a chaos run: places the planned orders at their times through the API instances (round robin),
 * retries with the same Idempotency-Key when an answer does not come (outages are the point), on the next instance
 * when there are several, as a load balancer would; replays some requests on purpose, and cancels some orders. It
 * records what the API answered, for the invariant checker.
 */
export class OrderDriver {
  readonly observations: ClientObservations = { keyed: new Map(), acknowledged: new Set() };
  readonly stats: DriverStats = { answers: {}, answeredBy: {}, retried: 0, unknownOutcome: 0, failovers: 0, replays: 0, concurrentCopies: 0, cancels: {}, refunds: {}, shipping: {}, stockAdjustments: 0, foundByWarehouse: 0 };
  private readonly background: Promise<void>[] = [];
  /** Orders whose goods the warehouse is (or was) shipping, so none is shipped by two hands. */
  private readonly fulfilling = new Set<string>();
  /** The round robin: the instance the next request goes to first. */
  private nextInstance = 0;

  constructor(
    /** Every API instance's base URL. */
    private readonly apiUrls: string[],
    private readonly log: (message: string) => void,
    /** Authorization for the order routes. */
    private readonly auth: Record<string, string>,
    /** The products that ship: the warehouse dispatches their units. */
    private readonly shippingProducts: ReadonlySet<string> = new Set(),
  ) {}

  /** Reads the order until `done` says so, or it stops moving on its own; answers its status (undefined: no answer). */
  private async waitForOrder(orderId: string, done: (status: string) => boolean, deadline: number): Promise<string | undefined> {
    let status: string | undefined;
    while (Date.now() <= deadline) {
      const res = await this.deliver(`/orders/${orderId}`, { headers: this.auth, timeoutMs: 10_000 }, () => Date.now() <= deadline);
      status = res.ok ? res.body?.status : undefined;
      if (status && done(status)) return status;
      await sleep(500);
    }
    return status;
  }

  /**
   * The warehouse and the customer of an order of goods that ship: once PAID, maybe a line cancelled, the rest
   * dispatched in one or two shipments (each retried through outages with its key, some sent twice on purpose);
   * once DELIVERED, maybe one unit returned and received. Every answer is counted; 409s are answers too (a cancel
   * that came first, say).
   */
  private async fulfil(orderId: string, items: Units, plan: FulfilmentPlan): Promise<void> {
    this.fulfilling.add(orderId);
    const deadline = Date.now() + 10 * RETRY_BUDGET_MS;
    const paid = await this.waitForOrder(orderId, (s) => !['PENDING', 'RESERVED', 'AWAITING_PAYMENT'].includes(s), deadline);
    if (paid !== 'PAID' && paid !== 'PARTIALLY_SHIPPED') return;
    const shippingLines = items.filter((i) => this.shippingProducts.has(i.productId));
    const post = async (what: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await this.deliver(path, { body, headers: { ...this.auth, ...headers }, timeoutMs: 60_000 }, () => Date.now() <= deadline);
      const answer = res.ok ? `${res.status}${res.status >= 400 ? ` ${res.body?.error}` : ''}` : `no answer (${res.error})`;
      this.count(this.stats.shipping, `${what} ${answer}`);
      // A refusal is an answer, but one that may leave the order waiting: the timeline says which order and when.
      if (!res.ok || res.status >= 400) this.log(`${what} of order ${orderId}: ${answer}`);
      return res;
    };
    if (plan.cancelFirstLine && paid === 'PAID' && items.length > 1 && shippingLines.length > 0) {
      await post('cancel line', `/orders/${orderId}/cancel`, { items: [shippingLines[0]] });
    }
    // What remains to ship is what the order says, not what the cancel answered: a cancel whose answer was lost may
    // have applied, and shipping its units too would be refused (422) and leave the order waiting for its goods.
    const shipping = await this.remainingToShip(orderId, deadline);
    if (shipping === undefined || shipping.length === 0) return;
    const parcels = plan.shipments === 2 && shipping.length > 1 ? [shipping.slice(0, 1), shipping.slice(1)] : [shipping];
    for (const [n, parcel] of parcels.entries()) {
      const key = { 'idempotency-key': `chaos-shipment-${orderId}-${n}` };
      for (let copy = 0; copy < (plan.replayShipments ? 2 : 1); copy++) await post('shipment', `/admin/orders/${orderId}/shipments`, { items: parcel }, key);
    }
    if (!plan.returnOne) return;
    const delivered = await this.waitForOrder(orderId, (s) => s !== 'SHIPPED' && s !== 'PARTIALLY_SHIPPED' && s !== 'PAID', deadline);
    if (delivered !== 'DELIVERED') return;
    const unit = { productId: shipping[0].productId, quantity: 1 };
    const opened = await post('return', `/orders/${orderId}/returns`, { items: [unit], reason: 'chaos: sent back' }, { 'idempotency-key': `chaos-return-${orderId}` });
    if (opened.ok && opened.status === 201) await post('receipt', `/admin/returns/${String(opened.body.id)}/receive`, {});
  }

  /** Places every order (at most `concurrency` requests in flight) and waits for their replays and cancels. */
  async run(plan: PlannedOrder[], concurrency: number): Promise<void> {
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < plan.length) {
          const order = plan[next++];
          const wait = started + order.atMs - Date.now();
          if (wait > 0) await sleep(wait);
          await this.placeOne(order);
        }
      }),
    );
    await Promise.all(this.background);
    await this.shipOrdersNoAnswerNamed(plan);
  }

  /**
   * The warehouse ships from the orders the service holds, not from what customers were answered: an order of goods
   * that ship whose answer never came (no key and a connection reset, say) waits for its shipment like any other.
   * Each customer's orders are listed; those still open that no answer named are shipped in one parcel.
   */
  private async shipOrdersNoAnswerNamed(plan: PlannedOrder[]): Promise<void> {
    const customers = new Set(plan.filter((o) => o.fulfilment).map((o) => o.body.customerId));
    const found: Promise<void>[] = [];
    for (const customerId of customers) {
      for (const order of await this.listOrders(customerId)) {
        if (this.fulfilling.has(order.id) || !OPEN_BEFORE_DELIVERY.has(order.status)) continue;
        if (!order.items.some((i) => this.shippingProducts.has(i.productId))) continue;
        this.stats.foundByWarehouse++;
        this.log(`warehouse: order ${order.id} of ${customerId} is ${order.status} and no answer named it; shipping it`);
        found.push(this.fulfil(order.id, order.items, { cancelFirstLine: false, shipments: 1, replayShipments: false, returnOne: false }));
      }
    }
    await Promise.all(found);
  }

  /** Every order of one customer (the admin token lists anyone's), page by page; none when the API never answers. */
  private async listOrders(customerId: string): Promise<{ id: string; status: string; items: Units }[]> {
    const deadline = Date.now() + RETRY_BUDGET_MS;
    const orders: { id: string; status: string; items: Units }[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ customerId, limit: '100', ...(cursor ? { cursor } : {}) });
      const res = await this.deliver(`/orders?${query}`, { headers: this.auth, timeoutMs: 10_000 }, () => Date.now() <= deadline);
      if (!res.ok || res.status !== 200) {
        this.log(`warehouse: the orders of ${customerId} could not be listed (${res.ok ? res.status : res.error})`);
        return orders;
      }
      orders.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return orders;
  }

  /** The units of an order's shipping lines neither cancelled nor dispatched, as the order shows them now. */
  private async remainingToShip(orderId: string, deadline: number): Promise<Units | undefined> {
    const res = await this.deliver(`/orders/${orderId}`, { headers: this.auth, timeoutMs: 10_000 }, () => Date.now() <= deadline);
    if (!res.ok || res.status !== 200) return undefined;
    const order = res.body as { items: Units; shipments?: { items: Units }[]; cancelledItems?: Units };
    const gone = new Map<string, number>();
    for (const unit of [...(order.cancelledItems ?? []), ...(order.shipments ?? []).flatMap((s) => s.items)]) {
      gone.set(unit.productId, (gone.get(unit.productId) ?? 0) + unit.quantity);
    }
    return order.items
      .filter((line) => this.shippingProducts.has(line.productId))
      .map((line) => ({ productId: line.productId, quantity: line.quantity - (gone.get(line.productId) ?? 0) }))
      .filter((line) => line.quantity > 0);
  }

  private async placeOne(order: PlannedOrder): Promise<void> {
    const copies = Array.from({ length: 1 + order.concurrentCopies }, () => this.send(order));
    this.stats.concurrentCopies += order.concurrentCopies;
    const answers = await Promise.all(copies);
    // 201, or 202 past PLACEMENT_DEADLINE (the order as it stands, still being decided): either way the order exists,
    // and its customer and warehouse go on with it.
    const accepted = answers.find((a) => a?.ok && (a.status === 201 || a.status === 202) && a.body?.id !== undefined);
    if (order.replayAfterMs !== undefined) {
      this.background.push(
        sleep(order.replayAfterMs).then(async () => {
          this.stats.replays++;
          await this.send(order);
        }),
      );
    }
    if (accepted?.ok && order.cancelAfterMs !== undefined) {
      const id = String(accepted.body.id);
      this.background.push(sleep(order.cancelAfterMs).then(() => this.cancel(id)));
    }
    if (accepted?.ok && order.fulfilment) {
      const items = order.body.items;
      this.background.push(this.fulfil(String(accepted.body.id), items, order.fulfilment));
    }
    if (accepted?.ok && order.partialRefund) {
      const { id, items } = accepted.body as { id: string; items: { productId: string }[] };
      this.background.push(this.refundPartOnceCompleted(String(id), items[0].productId, order.partialRefund.restock));
    }
  }

  /**
   * An operator's partial refund: once the order is COMPLETED (it may end otherwise: then nothing is refunded), one
   * unit of a line is refunded, and the same request is sent again with its key (it must answer the same refund).
   */
  private async refundPartOnceCompleted(orderId: string, productId: string, restock: boolean): Promise<void> {
    const deadline = Date.now() + RETRY_BUDGET_MS;
    let status: string | undefined;
    while (Date.now() <= deadline) {
      const res = await this.deliver(`/orders/${orderId}`, { headers: this.auth, timeoutMs: 10_000 }, () => Date.now() <= deadline);
      status = res.ok ? res.body?.status : undefined;
      if (status && !['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID', 'PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED'].includes(status)) break;
      await sleep(500);
    }
    if (status !== 'COMPLETED') return;
    const key = `chaos-refund-${orderId}`;
    const init = {
      body: { items: [{ productId, quantity: 1 }], reason: 'chaos: one unit back', restock },
      headers: { ...this.auth, 'idempotency-key': key },
      timeoutMs: 30_000,
    };
    for (let copy = 0; copy < 2; copy++) {
      const res = await this.deliver(`/admin/orders/${orderId}/refunds`, init, () => Date.now() <= deadline);
      this.count(this.stats.refunds, res.ok ? `${res.status}${res.status === 201 ? ` ${res.body?.status}` : ` ${res.body?.error}`}` : `no answer (${res.error})`);
    }
  }

  /**
   * One request through the API instances: first to the round robin's next instance; a failure that `retry` allows
   * is tried again on the next instance at once, and after every instance failed in turn, after a growing pause
   * (with a single instance: the same one, after the pause). Answers the final exchange.
   */
  private async deliver(path: string, init: ExchangeInit, retry: (res: Exchange, attempt: number) => boolean): Promise<Exchange> {
    const instances = this.apiUrls.length;
    let at = this.nextInstance;
    this.nextInstance = (this.nextInstance + 1) % instances;
    for (let attempt = 1; ; attempt++) {
      const res = await exchange(`${this.apiUrls[at]}${path}`, init);
      if (answered(res)) {
        this.count(this.stats.answeredBy, `API ${at + 1}`);
        return res;
      }
      if (!retry(res, attempt)) return res;
      at = (at + 1) % instances;
      if (instances > 1) this.stats.failovers++;
      if (attempt % instances === 0) await sleep(Math.min(5000, 250 * 2 ** (attempt / instances - 1)));
    }
  }

  /** One POST /orders, retried through outages when it carries a key; answers the final exchange. */
  private async send(order: PlannedOrder): Promise<Exchange | undefined> {
    const headers: Record<string, string> = { ...this.auth, ...(order.idempotencyKey ? { 'idempotency-key': order.idempotencyKey } : {}) };
    const deadline = Date.now() + RETRY_BUDGET_MS;
    const res = await this.deliver('/orders', { body: order.body, headers, timeoutMs: 60_000 }, (failed) => {
      // Without a key only a refused connection is safe to retry: anything else may have started a saga.
      const again = (order.idempotencyKey !== undefined || (!failed.ok && failed.refused)) && Date.now() <= deadline;
      if (again) this.stats.retried++;
      return again;
    });
    if (res.ok && answered(res)) {
      this.record(order, res);
      return res;
    }
    if (res.ok) this.count(this.stats.answers, `${res.status} ${res.body?.error ?? ''}`.trim());
    else this.count(this.stats.answers, `no answer (${res.error})`);
    if (order.idempotencyKey === undefined) this.stats.unknownOutcome++;
    return res;
  }

  private record(order: PlannedOrder, res: Extract<Exchange, { ok: true }>): void {
    this.count(this.stats.answers, res.status === 201 ? '201' : `${res.status} ${res.body?.error ?? ''}`.trim());
    const orderId = res.status === 201 ? String(res.body.id) : res.headers.get('location')?.split('/').pop();
    if (res.status === 201) this.observations.acknowledged.add(orderId!);
    if (!order.idempotencyKey) return;
    const id = `${order.body.customerId}\u0000${order.idempotencyKey}`;
    let entry = this.observations.keyed.get(id);
    if (!entry) {
      entry = { customerId: order.body.customerId, key: order.idempotencyKey, orderIds: new Set(), statuses: new Set() };
      this.observations.keyed.set(id, entry);
    }
    if (orderId) entry.orderIds.add(orderId);
    entry.statuses.add(res.status);
  }

  /** The customer's cancel: 200 or 409 not_cancellable are answers; outages are retried (a cancel is idempotent). */
  private async cancel(orderId: string): Promise<void> {
    const deadline = Date.now() + RETRY_BUDGET_MS;
    const init = { body: { reason: 'chaos: customer changed their mind' }, headers: this.auth, timeoutMs: 90_000 };
    const res = await this.deliver(`/orders/${orderId}/cancel`, init, () => Date.now() <= deadline);
    this.count(this.stats.cancels, res.ok ? `${res.status}${res.status === 200 ? ` ${res.body?.status}` : ` ${res.body?.error}`}` : `no answer (${res.error})`);
  }

  /**
   * An operator's stock adjustment (a ledger ADJUSTMENT row): retried only where the request surely never arrived
   * (connection refused), once on each other instance, since a lost answer may have applied.
   */
  async adjustStock(productId: string, delta: number, adminToken: string): Promise<void> {
    const init = { body: { delta, reason: 'chaos: delivery or write-off' }, headers: { authorization: `Bearer ${adminToken}` } };
    const res = await this.deliver(`/admin/products/${productId}/stock-adjustments`, init, (failed, attempt) => !failed.ok && failed.refused && attempt < this.apiUrls.length);
    this.stats.stockAdjustments++;
    if (!answered(res)) this.log(`stock adjustment of ${productId} got no answer (${res.ok ? res.status : res.error})`);
  }

  private count(into: Record<string, number>, key: string): void {
    into[key] = (into[key] ?? 0) + 1;
  }
}

import { randomUUID } from 'node:crypto';

/** A small seeded PRNG (mulberry32), so a chaos run's order mix can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Token = 'tok_visa' | 'tok_declined' | 'tok_wallet' | 'tok_no_webhook';

export interface PlannedOrder {
  index: number;
  /** When, from the start of placement, the order is sent. */
  atMs: number;
  token: Token;
  body: { customerId: string; customerEmail: string; items: { productId: string; quantity: number }[]; payment: { token: Token } };
  /** With a key, the request is retried with it on failure, and some are replayed on purpose. */
  idempotencyKey?: string;
  /** Extra copies of the same request sent at once (same key), as a double-clicking client would. */
  concurrentCopies: number;
  /** A replay of the same request this long after the first answer. */
  replayAfterMs?: number;
  /** The customer cancels this long after the order was accepted. */
  cancelAfterMs?: number;
  /** Once COMPLETED, an operator refunds one unit of its first line (and restocks it), and retries the refund with its key. */
  partialRefund?: { restock: boolean };
  /** Goods that ship (a line of a shipping product): what the warehouse and the customer do once it is PAID. */
  fulfilment?: FulfilmentPlan;
}

export interface FulfilmentPlan {
  /** The customer cancels the first shipping line's units before anything is dispatched (two lines or more). */
  cancelFirstLine: boolean;
  /** The rest leaves in one shipment, or in two (the first line, then the others). */
  shipments: 1 | 2;
  /** Each shipment request is sent again with its key: the same shipment must come back. */
  replayShipments: boolean;
  /** Once DELIVERED, the customer returns one unit of a shipped line and the warehouse receives it. */
  returnOne: boolean;
}

export interface PlanOptions {
  orders: number;
  placementMs: number;
  products: string[];
  walletCustomers: string[];
  /** The products that ship (requiresShipping). */
  shippingProducts?: ReadonlySet<string>;
  /** How long a cancel may come after placement: up to the payment timeout plus the cancellation window. */
  cancelWithinMs: number;
  random: () => number;
}

function pick<T>(random: () => number, weighted: [T, number][]): T {
  let r = random() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [value, weight] of weighted) {
    if ((r -= weight) < 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

/** The mix: mostly tok_visa, with declines, short wallets and silent providers; keys, replays, cancels and partial refunds on top. */
export function planOrders(options: PlanOptions): PlannedOrder[] {
  const { random } = options;
  return Array.from({ length: options.orders }, (_, index) => {
    const token = pick<Token>(random, [
      ['tok_visa', 50],
      ['tok_declined', 15],
      ['tok_wallet', 20],
      ['tok_no_webhook', 15],
    ]);
    const customerId =
      token === 'tok_wallet' ? options.walletCustomers[Math.floor(random() * options.walletCustomers.length)] : `chaos-customer-${Math.floor(random() * 40)}`;
    const lines = 1 + Math.floor(random() * 3);
    const products = new Set<string>();
    while (products.size < lines) products.add(options.products[Math.floor(random() * options.products.length)]);
    const keyed = random() < 0.6;
    return {
      index,
      atMs: (index / options.orders) * options.placementMs,
      token,
      body: {
        customerId,
        customerEmail: `${customerId}@example.com`,
        items: [...products].map((productId) => ({ productId, quantity: 1 + Math.floor(random() * 3) })),
        payment: { token },
      },
      idempotencyKey: keyed ? `chaos-${randomUUID()}` : undefined,
      concurrentCopies: keyed && random() < 0.1 ? 2 + Math.floor(random() * 3) : 0,
      replayAfterMs: keyed && random() < 0.3 ? Math.floor(random() * 15_000) : undefined,
      cancelAfterMs: random() < 0.25 ? Math.floor(random() * options.cancelWithinMs) : undefined,
      partialRefund: random() < 0.2 ? { restock: random() < 0.5 } : undefined,
      fulfilment: [...products].some((p) => options.shippingProducts?.has(p)) ? planFulfilment(random) : undefined,
    };
  });
}

function planFulfilment(random: () => number): FulfilmentPlan {
  return { cancelFirstLine: random() < 0.25, shipments: random() < 0.5 ? 1 : 2, replayShipments: random() < 0.3, returnOne: random() < 0.4 };
}

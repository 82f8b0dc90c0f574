import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import type { OrderStatus } from '../../workflows/order/state-machine';
import type { Answer, AppRequest } from './http';
import { request } from './http';
import type { Stack } from './stack';
import { customerAuth } from './tokens';

/** Where an order is placed: the whole stack over HTTP (a Stack), or the API called in-process (an InProcessApi). */
export type OrderApi = { config: Config } & ({ api: string } | { request: AppRequest });

/**
 * An order as tests describe it; everything not given gets a working default, so a test names only what it is
 * about. The body is a function of the input alone: the same input twice is the same request (idempotency tests).
 */
export interface OrderInput {
  /** One line of this product, `quantity` units (default 1). */
  product?: string;
  quantity?: number;
  /** Several lines instead of `product`. */
  items?: { productId: string; quantity: number }[];
  /** Payment token (default `tok_visa`, which pays). */
  token?: string;
  /** The customer (default: a new one, `cust-<uuid>`) and their email (default `<customer>@example.com`). */
  customer?: string;
  email?: string;
  /** Who places it: the customer with their own token (default), or support staff with the admin token. */
  by?: 'customer' | 'admin';
  /** The Idempotency-Key header. */
  key?: string;
  /** More headers; an `authorization` here replaces the placer's (e.g. another customer's token). */
  headers?: Record<string, string>;
}

/** The JSON body of POST /orders for `input`. */
export function orderBody(input: OrderInput & { customer: string }) {
  const items = input.items ?? [{ productId: requiredProduct(input), quantity: input.quantity ?? 1 }];
  return { customerId: input.customer, customerEmail: input.email ?? `${input.customer}@example.com`, items, payment: { token: input.token ?? 'tok_visa' } };
}

/** POST /orders as `input` says; the answer as it came (status, parsed body, headers), whatever it is. */
export async function placeOrder(api: OrderApi, input: OrderInput): Promise<Answer> {
  const customer = input.customer ?? `cust-${randomUUID()}`;
  const placer = input.by === 'admin' ? { authorization: `Bearer ${api.config.ADMIN_TOKEN}` } : await customerAuth(api.config, customer);
  const headers = { ...placer, ...(input.key ? { 'idempotency-key': input.key } : {}), ...input.headers };
  const init = { method: 'POST', headers, body: orderBody({ ...input, customer }) };
  return 'api' in api ? request(`${api.api}/orders`, init) : api.request('/orders', init);
}

/**
 * Places an order that must be accepted (201, else it throws with the answer) and returns it; with `until`, waits
 * for the order to reach that status and returns it as it is then.
 */
export async function acceptedOrder(stack: Stack, input: OrderInput, until?: OrderStatus): Promise<any> {
  const res = await placeOrder(stack, input);
  if (res.status !== 201) throw new Error(`placing the order answered ${res.status} ${JSON.stringify(res.body)}`);
  return until ? stack.waitForOrder(res.body.id, (o) => o.status === until) : res.body;
}

/** The id of the order an answer to POST /orders names: a rejection names it only in its Location header. */
export function placedOrderId(res: Answer): string {
  const location = res.headers.get('location');
  if (!location) throw new Error(`the answer names no order: ${res.status} ${JSON.stringify(res.body)}`);
  return location.split('/').pop()!;
}

function requiredProduct(input: OrderInput): string {
  if (!input.product) throw new Error('an order needs `product` or `items`');
  return input.product;
}

import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import Stripe from 'stripe';
import { signWebhookPayload } from '../../src/wire/webhook-signature';
import type { RawRequest } from './raw-http';

/**
 * Generators of malformed requests, one family per endpoint. Every case is invalid by construction (a required
 * field removed, a value of the wrong type or range, an unknown field, bad JSON, a wrong content type, a missing or
 * bad credential…), so the only right answer is a 4xx JSON error that changes nothing.
 */
export interface FuzzContext {
  products: string[];
  completedOrderId: string;
  rejectedOrderId: string;
  existingSku: string;
  adminToken: string;
  /** A valid token of the customer whose orders the order cases use (fuzz-customer, no email claim). */
  customerToken: string;
  webhookSecret: string;
  carrierWebhookSecret: string;
  stripeWebhookSecret: string;
  bodyLimit: number;
}

export interface BadRequest extends RawRequest {
  /** What is wrong with it, for the failure message. */
  label: string;
  /** When the status is certain, the one(s) allowed; otherwise any 4xx. */
  expect?: number[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const json = { 'content-type': 'application/json' };
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** Values no field of this API accepts as the given kind. */
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.constant({}));
const notANumber = fc.oneof(fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.constant({}));
const notAnObject = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
const notAnArray = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}));

/** Whole numbers outside [min, max], fractions, and numbers JSON can carry but no integer column can. */
const outOfRange = (min: number, max: number) =>
  fc.oneof(
    fc.maxSafeNat().map((n) => min - 1 - n),
    fc.maxSafeNat().map((n) => max + 1 + n),
    fc.double({ min: min - 10, max: max + 10, noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
    fc.constantFrom(1e308, -1e308, 2 ** 53, 2 ** 63, 1.5, 0.1, -0.5, Number.MAX_SAFE_INTEGER + 2),
  );

/** Strings with control characters: C0, DEL, C1. */
const withControlChar = fc
  .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\u0007', '\n', '\u001b', '\u007f', '\u0085', '\u009f'), fc.string({ maxLength: 10 }))
  .map(([a, c, b]) => `x${a}${c}${b}y`);

/** Unicode that no ASCII-only field accepts: accents, CJK, emoji, zero-width and bidi controls, full-width digits. */
const unicodeOddity = fc.constantFrom('é', '日本', '🛒', '\u200b', '\u202e', '\ufeff', '１２３', 'ﬀ', 'Å');

/** Object keys that are not part of a strict schema (including prototype-ish ones). */
const extraKey = (allowed: string[]) =>
  fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'ID', 'Items')).filter((k) => !allowed.includes(k));

function clone<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A copy of `body` with the value at `path` replaced (or removed when `value` is undefined). */
function setAt(body: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = clone(body);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Bodies that are not (valid) JSON, made from a valid one. */
function brokenJson(valid: string) {
  return fc.oneof(
    fc.integer({ min: 1, max: Math.max(1, valid.length - 1) }).map((n) => valid.slice(0, n)),
    fc.constantFrom(`\ufeff${valid}`, `${valid},`, `${valid}}`, valid.replace(/"/g, "'"), `/* c */${valid}`, '{"a":NaN}', '{"a":1,}', 'undefined', '{', '[', 'nul'),
  );
}

const post = (path: string, body: Json, label: string, headers: Record<string, string> = {}, expect?: number[]): BadRequest => ({
  method: 'POST',
  path,
  headers: { ...json, ...headers },
  body: JSON.stringify(body),
  label,
  expect,
});

// ---- POST /orders -----------------------------------------------------------------------------------------------

function validOrder(ctx: FuzzContext): Json {
  return { customerId: 'fuzz-customer', customerEmail: 'fuzz@example.com', items: [{ productId: ctx.products[0], quantity: 1 }], payment: { token: 'tok_visa' } };
}

export function placeOrderCases(ctx: FuzzContext): fc.Arbitrary<BadRequest> {
  const base = validOrder(ctx);
  const valid = JSON.stringify(base);
  const body = (b: Json, label: string, expect?: number[]) => post('/orders', b, label, {}, expect);
  // customerId defaults to the token's subject; customerEmail is required as the token has no email claim.
  const required: (string | number)[][] = [['customerEmail'], ['items'], ['payment'], ['payment', 'token'], ['items', 0, 'productId'], ['items', 0, 'quantity']];
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    fc.constantFrom(...required).map((path) => body(setAt(base, path, undefined), `missing ${path.join('.')}`, [400])),
    fc.tuple(fc.constantFrom<(string | number)[][]>(['customerId'], ['customerEmail'], ['payment', 'token'], ['items', 0, 'productId']), notAString).map(([path, v]) => body(setAt(base, path, v as Json), `${path.join('.')} = ${JSON.stringify(v)}`, [400])),
    notANumber.map((v) => body(setAt(base, ['items', 0, 'quantity'], v as Json), `quantity = ${JSON.stringify(v)}`, [400])),
    outOfRange(1, 1000).map((q) => body(setAt(base, ['items', 0, 'quantity'], q), `quantity = ${q}`, [400])),
    notAnArray.map((v) => body(setAt(base, ['items'], v as Json), `items = ${JSON.stringify(v)}`, [400])),
    notAnObject.map((v) => body(setAt(base, ['payment'], v as Json), `payment = ${JSON.stringify(v)}`, [400])),
    fc.constant(body(setAt(base, ['items'], []), 'no items', [400])),
    fc.integer({ min: 51, max: 80 }).map((n) =>
      body(setAt(base, ['items'], Array.from({ length: n }, () => ({ productId: randomUUID(), quantity: 1 }))), `${n} items`, [400]),
    ),
    fc.constant(body(setAt(base, ['items'], [{ productId: ctx.products[0], quantity: 1 }, { productId: ctx.products[0].toUpperCase(), quantity: 2 }]), 'one product twice', [400])),
    fc.oneof(fc.string({ maxLength: 40 }), unicodeOddity, fc.constant(ctx.products[0].replace(/-/g, ''))).map((id) => body(setAt(base, ['items', 0, 'productId'], id), `productId = ${JSON.stringify(id)}`, [400])),
    fc.oneof(fc.constantFrom('', '   ', 'a'.repeat(101)), withControlChar).map((id) => body(setAt(base, ['customerId'], id), `customerId = ${JSON.stringify(id)}`, [400])),
    fc.oneof(fc.constantFrom('', 'plain', 'a@', '@b.com', 'a b@c.com', `${'a'.repeat(250)}@example.com`, 'ü@exämple.com'), fc.string({ maxLength: 20 }).filter((s) => !s.includes('@')))
      .map((email) => body(setAt(base, ['customerEmail'], email), `customerEmail = ${JSON.stringify(email)}`, [400])),
    fc.oneof(fc.constantFrom('', 'tok visa', 'tok-visa', 'x'.repeat(101)), unicodeOddity.map((u) => `tok_${u}`)).map((t) => body(setAt(base, ['payment', 'token'], t), `token = ${JSON.stringify(t)}`, [400])),
    fc.tuple(fc.constantFrom<(string | number)[]>([], ['payment'], ['items', 0]), extraKey(['customerId', 'customerEmail', 'items', 'payment', 'token', 'productId', 'quantity']), fc.jsonValue())
      .map(([at, key, value]) => {
        const copy = clone(base);
        let node = copy as Record<string | number, Json>;
        for (const k of at) node = node[k] as Record<string | number, Json>;
        Object.defineProperty(node, key, { value, enumerable: true, configurable: true, writable: true });
        return body(copy, `extra field ${[...at, key].join('.')}`, [400]);
      }),
    brokenJson(valid).map((text) => ({ method: 'POST', path: '/orders', headers: json, body: text, label: `bad JSON ${JSON.stringify(text.slice(0, 40))}`, expect: [400] })),
    fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '')
      .map((type): BadRequest => ({ method: 'POST', path: '/orders', headers: type ? { 'content-type': type } : {}, body: valid, label: `content-type ${JSON.stringify(type)}`, expect: [415] })),
    fc.oneof(fc.constantFrom('has space', 'k'.repeat(256), 'caf\xe9', 'tab\tkey'), fc.string({ minLength: 1, maxLength: 5 }).map((s) => `a ${s}b`))
      .map((key) => ({ method: 'POST', path: '/orders', headers: { ...json, 'idempotency-key': key }, body: valid, label: `Idempotency-Key ${JSON.stringify(key)}`, expect: [400] })),
    fc.boolean().map((chunked) => ({
      method: 'POST',
      path: '/orders',
      headers: json,
      body: JSON.stringify({ ...(base as object), padding: 'x'.repeat(ctx.bodyLimit + 1) }),
      chunked,
      label: `oversized body${chunked ? ' (chunked)' : ''}`,
      expect: [413],
    })),
  );
}

// ---- GET /orders, GET /orders/:id, POST /orders/:id/cancel -----------------------------------------------------

export function listOrdersCases(): fc.Arbitrary<BadRequest> {
  const q = (params: string, label: string): BadRequest => ({ method: 'GET', path: `/orders?${params}`, label, expect: [400] });
  const customer = 'customerId=fuzz-customer';
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    fc.constantFrom('customerId=', 'customerId=%20%20').map((p) => q(p, `without a usable customerId: ${p}`)),
    fc.oneof(withControlChar, fc.constant('a'.repeat(101))).map((id) => q(`customerId=${encodeURIComponent(id)}`, `customerId ${JSON.stringify(id)}`)),
    fc.oneof(fc.constantFrom('paid', 'FOO', 'PAID,CANCELLED', ''), fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== s.toUpperCase() || !/^[A-Z_]+$/.test(s)))
      .map((s) => q(`${customer}&status=${encodeURIComponent(s)}`, `status ${JSON.stringify(s)}`)),
    // Not ' 5' or '0x10': z.coerce.number() reads those as 5 and 16 (lenient, but harmless).
    fc.oneof(fc.constantFrom('0', '-1', '101', '1.5', 'abc', '1e3', ''), fc.integer({ min: 101 }).map(String)).map((l) => q(`${customer}&limit=${encodeURIComponent(l)}`, `limit ${JSON.stringify(l)}`)),
    fc.oneof(fc.string({ maxLength: 30 }), fc.constant(Buffer.from('["2020-01-01T00:00:00.000Z","not-a-uuid"]').toString('base64url')), fc.constant('A'.repeat(300)))
      .map((c) => q(`${customer}&cursor=${encodeURIComponent(c)}`, `cursor ${JSON.stringify(c.slice(0, 30))}`)),
    extraKey(['customerId', 'status', 'limit', 'cursor']).map((k) => q(`${customer}&${encodeURIComponent(k)}=1`, `extra parameter ${JSON.stringify(k)}`)),
    fc.constantFrom('customerId=a&customerId=b', `${customer}&status=PAID&status=CANCELLED`, `${customer}&limit=1&limit=2`).map((p) => q(p, `repeated parameter: ${p}`)),
  );
}

/** Path ids that name no order: not a UUID (404 like any unknown id), or a UUID nobody created. */
const unknownOrderId = fc.oneof(
  fc.uuid().filter((u) => !u.startsWith('00000000')),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  unicodeOddity.map(encodeURIComponent),
  fc.constantFrom('%E0%A4%A', '%', '..%2F..%2Fetc', 'null', '0', '-1', 'a'.repeat(2000)),
);

export function orderByIdCases(): fc.Arbitrary<BadRequest> {
  return unknownOrderId.map((id) => ({ method: 'GET', path: `/orders/${id}`, label: `GET /orders/${id.slice(0, 40)}`, expect: [400, 404] }));
}

export function cancelCases(ctx: FuzzContext): fc.Arbitrary<BadRequest> {
  const badBody = fc.oneof(
    notAString.map((reason) => JSON.stringify({ reason })),
    fc.constant(JSON.stringify({ reason: 'r'.repeat(501) })),
    extraKey(['reason']).map((k) => JSON.stringify(Object.defineProperty({}, k, { value: 1, enumerable: true }))),
    fc.constantFrom('[]', '"text"', '42', 'null', '{"reason":'),
  );
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    fc.tuple(unknownOrderId, fc.option(badBody)).map(([id, body]) => ({
      method: 'POST',
      path: `/orders/${id}/cancel`,
      headers: json,
      body: body ?? '{}',
      label: `cancel unknown order ${id.slice(0, 40)}`,
    })),
    fc.tuple(fc.constantFrom(ctx.completedOrderId, ctx.rejectedOrderId), badBody).map(([id, body]) => ({
      method: 'POST',
      path: `/orders/${id}/cancel`,
      headers: json,
      body,
      label: `cancel with a malformed body ${body.slice(0, 40)}`,
      expect: [400],
    })),
    fc.tuple(fc.constantFrom(ctx.completedOrderId, ctx.rejectedOrderId), fc.constantFrom('{}', '{"reason":"changed my mind"}', '')).map(([id, body]) => ({
      method: 'POST',
      path: `/orders/${id}/cancel`,
      headers: json,
      body,
      label: `cancel a finished order (${id === ctx.completedOrderId ? 'COMPLETED' : 'REJECTED'})`,
      expect: [409],
    })),
  );
}

// ---- customer tokens on the order routes -------------------------------------------------------------------------

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT with any header and claims, signed (HS256) with any secret. */
function jwt(header: object, claims: object, secret: string): string {
  const signingInput = `${b64url(header)}.${b64url(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** Every order route, with no credential or one that must not be accepted: always 401 unauthorized. */
export function customerAuthCases(ctx: FuzzContext): fc.Arbitrary<BadRequest> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'fuzz-customer', exp: now + 600 };
  const badAuthorization = fc.oneof(
    fc.constant<string | undefined>(undefined),
    fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', ctx.customerToken, `Token ${ctx.customerToken}`, `Bearer ${ctx.customerToken} extra`),
    fc.string({ maxLength: 60 }).map((t) => `Bearer ${t.replace(/\s/g, '') || 'x'}`),
    fc.constantFrom(
      `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`,
      `Bearer ${jwt({ alg: 'HS256' }, claims, 'not-the-secret-not-the-secret-not-the-secret')}`,
      `Bearer ${jwt({ alg: 'HS512' }, claims, 'not-the-secret')}`,
      `Bearer ${ctx.customerToken.slice(0, -2)}xx`,
      `Bearer ${ctx.customerToken.split('.').slice(0, 2).join('.')}.`,
      `Bearer ${ctx.adminToken}x`,
    ),
  );
  const target = fc.constantFrom(
    { method: 'POST', path: '/orders', body: JSON.stringify(validOrder(ctx)) },
    { method: 'GET', path: '/orders' },
    { method: 'GET', path: `/orders/${ctx.completedOrderId}` },
    { method: 'POST', path: `/orders/${ctx.completedOrderId}/cancel`, body: '{}' },
  );
  return fc.tuple(target, badAuthorization).map(([t, authorization]) => ({
    ...t,
    headers: { ...json, ...(authorization === undefined ? {} : { authorization }) },
    label: `${t.method} ${t.path.slice(0, 20)} with Authorization ${JSON.stringify(authorization?.slice(0, 40))}`,
    expect: [401],
  }));
}

// ---- POST /webhooks/payments ------------------------------------------------------------------------------------

function webhookEvent(orderId: string): Json {
  return {
    id: `evt_fuzz_${randomUUID()}`,
    type: 'payment.succeeded',
    createdAt: new Date().toISOString(),
    data: { paymentId: `pay_fuzz_${randomUUID()}`, orderId, amountCents: 1250, currency: 'EUR' },
  };
}

export function webhookCases(ctx: FuzzContext): fc.Arbitrary<BadRequest> {
  const now = () => Math.floor(Date.now() / 1000);
  const send = (body: string, signature: string | undefined, label: string, expect?: number[]): BadRequest => ({
    method: 'POST',
    path: '/webhooks/payments',
    headers: { ...json, ...(signature === undefined ? {} : { 'payment-signature': signature }) },
    body,
    label,
    expect,
  });
  const event = () => JSON.stringify(webhookEvent(ctx.completedOrderId));
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    fc.constant(null).map(() => send(event(), undefined, 'no signature', [401])),
    fc.string({ minLength: 8, maxLength: 30 }).map((secret) => {
      const body = event();
      return send(body, signWebhookPayload(`wrong-${secret}`, body, now()), 'signed with another secret', [401]);
    }),
    fc.integer({ min: 301, max: 86_400 * 365 }).map((age) => {
      const body = event();
      return send(body, signWebhookPayload(ctx.webhookSecret, body, now() - age), `a signature ${age} s old (a replay)`, [401]);
    }),
    fc.integer({ min: 301, max: 86_400 }).map((ahead) => {
      const body = event();
      return send(body, signWebhookPayload(ctx.webhookSecret, body, now() + ahead), `a signature ${ahead} s in the future`, [401]);
    }),
    fc.constant(null).map(() => {
      const signature = signWebhookPayload(ctx.webhookSecret, event(), now());
      return send(event(), signature, "another body's signature (replayed onto a new body)", [401]);
    }),
    fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('t=,v1=', 't=abc,v1=00', `t=${now()}`, `v1=${'0'.repeat(64)}`, `t=${now()},v1=${'g'.repeat(64)}`, `t=${now()},t=${now() - 1},v1=${'0'.repeat(64)}`))
      .map((header) => send(event(), header, `signature header ${JSON.stringify(header.slice(0, 40))}`, [401])),
    fc
      .oneof(
        fc.constantFrom<(string | number)[]>(['id'], ['type'], ['createdAt'], ['data'], ['data', 'paymentId'], ['data', 'orderId'], ['data', 'amountCents'], ['data', 'currency']).map((path) => ({ path, value: undefined as Json | undefined })),
        // A well-formed event of a type the service does not know is acknowledged (200), so only non-strings here.
        fc.record({ path: fc.constant<(string | number)[]>(['type']), value: fc.constantFrom<Json>(1, null, '', ['payment.succeeded']) }),
        fc.record({ path: fc.constant<(string | number)[]>(['createdAt']), value: fc.constantFrom<Json>('yesterday', '2020-13-01T00:00:00Z', 0) }),
        fc.record({ path: fc.constant<(string | number)[]>(['data', 'amountCents']), value: fc.constantFrom<Json>(-1, 1.5, '1250', 1e308) }),
        fc.record({ path: fc.constant<(string | number)[]>(['data', 'currency']), value: fc.constantFrom<Json>('eur', 'EURO', '€', 978) }),
      )
      .map(({ path, value }) => {
        const body = JSON.stringify(setAt(webhookEvent(ctx.completedOrderId), path, value));
        return send(body, signWebhookPayload(ctx.webhookSecret, body, now()), `signed but malformed: ${path.join('.')} = ${JSON.stringify(value)}`, [400]);
      }),
    fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 })).map((orderId) => {
      const body = JSON.stringify(webhookEvent(orderId));
      return send(body, signWebhookPayload(ctx.webhookSecret, body, now()), `signed, for an unknown order ${JSON.stringify(orderId)}`, [404]);
    }),
    brokenJson(event()).map((text) => send(text, signWebhookPayload(ctx.webhookSecret, text, now()), `signed bad JSON ${JSON.stringify(text.slice(0, 30))}`, [400])),
  );
}

// ---- POST /webhooks/carrier ------------------------------------------------------------------------------------

function carrierEvent(): Json {
  const at = new Date().toISOString();
  return { id: `evt_fuzz_${randomUUID()}`, type: 'shipment.delivered', created: at, data: { trackingNumber: `SIM-FUZZ-${randomUUID()}`, shipmentId: `shp_fuzz_${randomUUID()}`, at } };
}

/** The carrier's route: its signature with CARRIER_WEBHOOK_SECRET (the payment provider's does not pass), then its body. */
export function carrierWebhookCases(ctx: FuzzContext): fc.Arbitrary<BadRequest> {
  const now = () => Math.floor(Date.now() / 1000);
  const send = (body: string, signature: string | undefined, label: string, expect?: number[]): BadRequest => ({
    method: 'POST',
    path: '/webhooks/carrier',
    headers: { ...json, ...(signature === undefined ? {} : { 'payment-signature': signature }) },
    body,
    label,
    expect,
  });
  const event = () => JSON.stringify(carrierEvent());
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    fc.constant(null).map(() => send(event(), undefined, 'no signature', [401])),
    fc.constant(null).map(() => {
      const body = event();
      return send(body, signWebhookPayload(ctx.webhookSecret, body, now()), "signed with the payment provider's secret", [401]);
    }),
    fc.string({ minLength: 8, maxLength: 30 }).map((secret) => {
      const body = event();
      return send(body, signWebhookPayload(`wrong-${secret}`, body, now()), 'signed with another secret', [401]);
    }),
    fc.integer({ min: 301, max: 86_400 * 365 }).map((age) => {
      const body = event();
      return send(body, signWebhookPayload(ctx.carrierWebhookSecret, body, now() - age), `a signature ${age} s old (a replay)`, [401]);
    }),
    fc.constant(null).map(() => send(event(), signWebhookPayload(ctx.carrierWebhookSecret, event(), now()), "another body's signature", [401])),
    fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('t=,v1=', 't=abc,v1=00', `t=${now()}`, `v1=${'0'.repeat(64)}`))
      .map((header) => send(event(), header, `signature header ${JSON.stringify(header.slice(0, 40))}`, [401])),
    fc
      .oneof(
        fc.constantFrom<(string | number)[]>(['id'], ['type'], ['created'], ['data'], ['data', 'trackingNumber'], ['data', 'shipmentId'], ['data', 'at']).map((path) => ({ path, value: undefined as Json | undefined })),
        // A well-formed event of a type the service does not know is acknowledged (200), so only non-strings here.
        fc.record({ path: fc.constant<(string | number)[]>(['type']), value: fc.constantFrom<Json>(1, null, '', ['shipment.delivered']) }),
        fc.record({ path: fc.constant<(string | number)[]>(['data', 'at']), value: fc.constantFrom<Json>('yesterday', '2020-13-01T00:00:00Z', 0) }),
        fc.record({ path: fc.constant<(string | number)[]>(['data', 'trackingNumber']), value: fc.constantFrom<Json>('', 42, null, 'x'.repeat(256)) }),
      )
      .map(({ path, value }) => {
        const body = JSON.stringify(setAt(carrierEvent(), path, value));
        return send(body, signWebhookPayload(ctx.carrierWebhookSecret, body, now()), `signed but malformed: ${path.join('.')} = ${JSON.stringify(value)}`, [400]);
      }),
    brokenJson(event()).map((text) => send(text, signWebhookPayload(ctx.carrierWebhookSecret, text, now()), `signed bad JSON ${JSON.stringify(text.slice(0, 30))}`, [400])),
  );
}

// ---- POST /webhooks/stripe -------------------------------------------------------------------------------------

export function stripeWebhookCases(ctx: FuzzContext): fc.Arbitrary<BadRequest> {
  const now = () => Math.floor(Date.now() / 1000);
  const send = (body: string, signature: string | undefined, label: string, expect?: number[]): BadRequest => ({
    method: 'POST',
    path: '/webhooks/stripe',
    headers: { ...json, ...(signature === undefined ? {} : { 'stripe-signature': signature }) },
    body,
    label,
    expect,
  });
  const event = () =>
    JSON.stringify({
      id: `evt_fuzz_${randomUUID().replace(/-/g, '')}`,
      object: 'event',
      created: now(),
      type: 'payment_intent.succeeded',
      data: { object: { id: 'pi_fuzz', object: 'payment_intent', amount: 1250, amount_received: 1250, currency: 'eur', metadata: { orderId: ctx.completedOrderId } } },
    });
  const sign = (payload: string, secret: string, timestamp = now()) => Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    fc.constant(null).map(() => send(event(), undefined, 'no signature', [400])),
    fc.string({ minLength: 8, maxLength: 30 }).map((secret) => {
      const body = event();
      return send(body, sign(body, `whsec_wrong_${secret}`), 'signed with another secret', [400]);
    }),
    fc.integer({ min: 301, max: 86_400 * 365 }).map((age) => {
      const body = event();
      return send(body, sign(body, ctx.stripeWebhookSecret, now() - age), `a signature ${age} s old (a replay)`, [400]);
    }),
    fc.constant(null).map(() => send(event(), sign(event(), ctx.stripeWebhookSecret), "another body's signature", [400])),
    fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('t=,v1=', 't=abc,v1=00', `t=${now()}`, `v1=${'0'.repeat(64)}`)).map((header) =>
      send(event(), header, `signature header ${JSON.stringify(header.slice(0, 40))}`, [400]),
    ),
    brokenJson(event()).map((text) => send(text, sign(text, ctx.stripeWebhookSecret), `signed bad JSON ${JSON.stringify(text.slice(0, 30))}`, [400])),
  );
}

// ---- catalog and admin -----------------------------------------------------------------------------------------

/** Authorization headers that are not the admin token. */
function badAuth(ctx: FuzzContext): fc.Arbitrary<Record<string, string>> {
  return fc.oneof<fc.Arbitrary<Record<string, string>>[]>(
    fc.constant({}),
    fc.string({ minLength: 1, maxLength: 30 }).filter((t) => t !== ctx.adminToken).map((t) => ({ authorization: `Bearer ${t.replace(/[\r\n]/g, '')}` })),
    fc.constantFrom(
      { authorization: 'Bearer' },
      { authorization: `Basic ${Buffer.from(`admin:${ctx.adminToken}`).toString('base64')}` },
      { authorization: `Bearer ${ctx.adminToken} extra` },
      { authorization: `Bearer ${ctx.adminToken}x` },
      { authorization: ctx.adminToken },
      { authorization: `Bearer ${ctx.adminToken.toUpperCase()}` },
    ),
  );
}

export function adminCases(ctx: FuzzContext): fc.Arbitrary<BadRequest> {
  const product = { sku: 'fuzz-new-sku', name: 'Fuzz product', priceCents: 100, currency: 'EUR', stock: 5 };
  const productId = ctx.products[0];
  const admin = auth(ctx.adminToken);
  const int = (min: number, max: number) => outOfRange(min, max);
  const adminEndpoints: { method: string; path: string }[] = [
    { method: 'POST', path: '/admin/products' },
    { method: 'PATCH', path: `/admin/products/${productId}` },
    { method: 'POST', path: `/admin/products/${productId}/stock-adjustments` },
    { method: 'POST', path: `/admin/orders/${ctx.completedOrderId}/retry-compensation` },
    { method: 'GET', path: '/admin/notifications' },
    { method: 'GET', path: '/admin/notifications?status=failed' },
    { method: 'POST', path: '/admin/webhook-endpoints' },
    { method: 'GET', path: '/admin/webhook-endpoints' },
    { method: 'GET', path: '/admin/webhook-messages' },
  ];
  const endpoint = { url: 'https://shop.example/hook', events: ['order.paid'] };
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    // Without (or with a wrong) token every admin endpoint is 401, whatever the body.
    fc.tuple(fc.constantFrom(...adminEndpoints), badAuth(ctx)).map(([e, headers]) => ({
      method: e.method,
      path: e.path,
      headers: { ...json, ...headers },
      body: e.method === 'GET' ? undefined : JSON.stringify(e.path.endsWith('products') ? product : { delta: 1, reason: 'fuzz' }),
      label: `${e.method} ${e.path} with Authorization ${JSON.stringify(headers.authorization ?? null)}`,
      expect: [401],
    })),
    // With the token, malformed product bodies.
    fc
      .oneof(
        fc.constantFrom('sku', 'name', 'priceCents', 'currency', 'stock').map((k) => setAt(product, [k], undefined)),
        fc.oneof(fc.constantFrom('', '-starts-with-dash', 'has space', 'x'.repeat(65)), unicodeOddity).map((sku) => setAt(product, ['sku'], sku)),
        fc.constantFrom('', '   ', 'n'.repeat(201)).map((name) => setAt(product, ['name'], name)),
        int(0, 2_147_483_647).map((p) => setAt(product, ['priceCents'], p)),
        int(0, 2_147_483_647).map((s) => setAt(product, ['stock'], s)),
        fc.oneof(fc.constantFrom('eur', 'EURO', 'E1R', ''), unicodeOddity).map((c) => setAt(product, ['currency'], c)),
        extraKey(Object.keys(product)).map((k) => ({ ...product, [k]: 1 }) as Json),
        fc.constant(setAt(product, ['sku'], ctx.existingSku)),
      )
      .map((body) => post('/admin/products', body, `create product ${JSON.stringify(body).slice(0, 60)}`, admin)),
    fc
      .oneof(
        fc.constant({} as Json),
        fc.constantFrom('', ' ', 'n'.repeat(201)).map((name) => ({ name })),
        int(0, 2_147_483_647).map((priceCents) => ({ priceCents })),
        fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null), fc.constant([])).map((active) => ({ active: active as Json })),
        extraKey(['name', 'priceCents', 'active']).map((k) => ({ [k]: 1 }) as Json),
      )
      .map((body) => ({ method: 'PATCH', path: `/admin/products/${productId}`, headers: { ...json, ...admin }, body: JSON.stringify(body), label: `PATCH product ${JSON.stringify(body).slice(0, 60)}`, expect: [400] })),
    fc
      .oneof(
        fc.constant({ delta: 0, reason: 'nothing' } as Json),
        int(-2_147_483_647, 2_147_483_647).map((delta) => ({ delta, reason: 'fuzz' })),
        fc.constantFrom<Json>({ delta: 1 }, { reason: 'fuzz' }, { delta: 1, reason: '' }, { delta: 1, reason: '   ' }, { delta: 1, reason: 'r'.repeat(501) }, { delta: '1', reason: 'fuzz' }),
        // Valid shape, but more than there is: the adjustment is refused and nothing changes.
        fc.constant({ delta: -1_000_000_000, reason: 'write off more than exists' } as Json),
      )
      .map((body) => post(`/admin/products/${productId}/stock-adjustments`, body, `stock adjustment ${JSON.stringify(body).slice(0, 60)}`, admin)),
    fc.tuple(unknownOrderId, fc.constantFrom('PATCH', 'POST-stock', 'POST-retry')).map(([id, kind]) => {
      const path = kind === 'PATCH' ? `/admin/products/${id}` : kind === 'POST-stock' ? `/admin/products/${id}/stock-adjustments` : `/admin/orders/${id}/retry-compensation`;
      const body = kind === 'PATCH' ? { name: 'x' } : { delta: 1, reason: 'fuzz' };
      return { method: kind === 'PATCH' ? 'PATCH' : 'POST', path, headers: { ...json, ...admin }, body: JSON.stringify(body), label: `${kind} for unknown id ${id.slice(0, 40)}`, expect: [404] };
    }),
    fc.constantFrom(ctx.completedOrderId, ctx.rejectedOrderId).map((id) => ({
      method: 'POST',
      path: `/admin/orders/${id}/retry-compensation`,
      headers: admin,
      label: 'retry the compensation of an order that has none',
      expect: [409],
    })),
    fc.oneof(fc.constantFrom('FAILED', 'all', '', 'sent,failed'), extraKey(['status']).map((k) => `x&${encodeURIComponent(k)}=1`))
      .map((status) => ({ method: 'GET', path: `/admin/notifications?status=${status}`, headers: admin, label: `notifications status ${JSON.stringify(status)}`, expect: [400] })),
    // Webhook endpoints: malformed bodies are 400, URLs that are not http(s) 422; nothing is created.
    fc
      .oneof(
        fc.constant(setAt(endpoint, ['url'], undefined)),
        fc.oneof(fc.constantFrom('', ' ', 'u'.repeat(2001)), fc.integer(), fc.constant(null)).map((url) => setAt(endpoint, ['url'], url as Json)),
        fc.oneof(fc.constantFrom<Json>([], ['order.nope'], ['order.paid', 'order.paid'], 'order.paid', [1]), unicodeOddity).map((events) => setAt(endpoint, ['events'], events)),
        extraKey(['url', 'events', 'description']).map((k) => ({ ...endpoint, [k]: 1 }) as Json),
      )
      .map((body) => post('/admin/webhook-endpoints', body, `webhook endpoint ${JSON.stringify(body).slice(0, 60)}`, admin)),
    fc
      .constantFrom('ftp://shop.example/', 'not a url', 'javascript:alert(1)', 'https://user:pw@shop.example/')
      .map((url) => ({ ...post('/admin/webhook-endpoints', { url }, `webhook endpoint url ${url}`, admin), expect: [422] })),
    fc
      .constantFrom('status=gone', 'endpointId=not-a-uuid', 'limit=0', 'limit=101', 'cursor=zzz', 'x=1')
      .map((query) => ({ method: 'GET', path: `/admin/webhook-messages?${query}`, headers: admin, label: `webhook messages ?${query}`, expect: [400] })),
    fc.tuple(unknownOrderId, fc.constantFrom('endpoint', 'rotate', 'retry')).map(([id, kind]) => {
      const path = kind === 'endpoint' ? `/admin/webhook-endpoints/${id}` : kind === 'rotate' ? `/admin/webhook-endpoints/${id}/rotate-secret` : `/admin/webhook-messages/${id}/retry`;
      return { method: kind === 'endpoint' ? 'GET' : 'POST', path, headers: admin, label: `${kind} for unknown id ${id.slice(0, 40)}`, expect: [404] };
    }),
  );
}

export function productReadCases(): fc.Arbitrary<BadRequest> {
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    fc.oneof(fc.constantFrom('0', '-1', '101', '1.5', 'abc', '', '1e2', '0100'), fc.integer({ min: 101 }).map(String)).map((l) => ({
      method: 'GET',
      path: `/products?limit=${encodeURIComponent(l)}`,
      label: `products limit ${JSON.stringify(l)}`,
      expect: [400],
    })),
    fc.string({ maxLength: 30 }).map((c) => ({ method: 'GET', path: `/products?cursor=${encodeURIComponent(c)}`, label: `products cursor ${JSON.stringify(c)}`, expect: [400] })),
    extraKey(['limit', 'cursor']).map((k) => ({ method: 'GET', path: `/products?${encodeURIComponent(k)}=1`, label: `products extra parameter ${JSON.stringify(k)}`, expect: [400] })),
    unknownOrderId.map((id) => ({ method: 'GET', path: `/products/${id}`, label: `GET /products/${id.slice(0, 40)}`, expect: [400, 404] })),
  );
}

/** Methods a route does not have (405) and paths no route has (404). */
export function wrongRouteCases(): fc.Arbitrary<BadRequest> {
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    fc
      .constantFrom(['PUT', '/orders'], ['DELETE', '/orders'], ['PATCH', '/orders/00000000-0000-4000-8000-000000000000'], ['GET', '/webhooks/payments'], ['PUT', '/products'], ['DELETE', '/admin/products'])
      .map(([method, path]) => ({ method, path, headers: json, body: method === 'GET' || method === 'DELETE' ? undefined : '{}', label: `${method} ${path}`, expect: [404, 405] })),
    fc.string({ minLength: 1, maxLength: 20 }).map((p) => ({ method: 'GET', path: `/nope/${encodeURIComponent(p)}`, label: `GET /nope/${p}`, expect: [404] })),
  );
}

// ---- shipping: shipments, deliveries, returns, the carrier's webhooks --------------------------------------------

/**
 * The shipping routes: malformed shipments (admin), deliveries and receipts of unknown shipments and returns, returns
 * asked of an order that is not DELIVERED (the customer's), cancels of units with bad items, carrier webhooks without
 * a valid signature.
 */
export function shippingCases(ctx: FuzzContext): fc.Arbitrary<BadRequest> {
  const admin = auth(ctx.adminToken);
  const customer = auth(ctx.customerToken);
  const validUnits: Json = [{ productId: ctx.products[0], quantity: 1 }];
  const badUnits = fc.oneof(
    notAnArray,
    fc.constant([] as Json),
    fc.tuple(notAString, fc.integer({ min: 1, max: 3 })).map(([productId, quantity]) => [{ productId, quantity }] as Json),
    outOfRange(1, 1000).map((quantity) => [{ productId: ctx.products[0], quantity }] as Json),
    notANumber.map((quantity) => [{ productId: ctx.products[0], quantity }] as Json),
    fc.constant([{ productId: ctx.products[0], quantity: 1 }, { productId: ctx.products[0].toUpperCase(), quantity: 1 }] as Json),
    extraKey(['productId', 'quantity']).map((k) => [{ productId: ctx.products[0], quantity: 1, [k]: 1 }] as Json),
  );
  const shipments = `/admin/orders/${ctx.completedOrderId}/shipments`;
  const key = () => ({ 'idempotency-key': randomUUID() });
  return fc.oneof<fc.Arbitrary<BadRequest>[]>(
    badUnits.map((items) => post(shipments, { items }, 'shipment with bad items', { ...admin, ...key() }, [400])),
    fc.oneof(notAString, withControlChar, unicodeOddity, fc.constant('UPPER'), fc.constant('x'.repeat(51))).map((carrier) =>
      post(shipments, { items: validUnits, carrier } as Json, 'shipment with a bad carrier', { ...admin, ...key() }, [400]),
    ),
    extraKey(['items', 'carrier']).map((k) => post(shipments, { items: validUnits, [k]: 1 }, 'shipment with an unknown field', { ...admin, ...key() }, [400])),
    brokenJson(JSON.stringify({ items: validUnits })).map((body) => ({ method: 'POST', path: shipments, headers: { ...json, ...admin, ...key() }, body, label: 'shipment with broken JSON', expect: [400] })),
    fc.constant(post(shipments, { items: validUnits }, 'shipment without an Idempotency-Key', admin, [400])),
    // Only what an HTTP client can send in a header: too long, a space, Latin-1 beyond ASCII.
    fc.constantFrom('x'.repeat(256), 'a key', '\u00e9t\u00e9').map((k) =>
      post(shipments, { items: validUnits }, 'shipment with a bad Idempotency-Key', { ...admin, 'idempotency-key': k }, [400]),
    ),
    fc.constant(post(shipments, { items: validUnits }, 'shipment of an order with nothing to ship (COMPLETED)', { ...admin, ...key() }, [409])),
    fc.constant(post(`/admin/orders/${randomUUID()}/shipments`, { items: validUnits }, 'shipment of an unknown order', { ...admin, ...key() }, [404])),
    fc.constant(post(shipments, { items: validUnits }, 'shipment with a customer token', { ...customer, ...key() }, [401])),
    fc.constant(post(`/admin/shipments/${randomUUID()}/delivered`, {}, 'delivery of an unknown shipment', admin, [404])),
    fc.constantFrom('not-a-uuid', '1', '%00').map((id) => post(`/admin/shipments/${id}/delivered`, {}, 'delivery of a malformed shipment id', admin)),
    badUnits.map((items) => post(`/orders/${ctx.completedOrderId}/returns`, { items, reason: 'r' }, 'return with bad items', customer, [400])),
    fc.oneof(notAString, fc.constant(''), fc.constant('r'.repeat(201))).map((reason) =>
      post(`/orders/${ctx.completedOrderId}/returns`, { items: validUnits, reason } as Json, 'return with a bad reason', customer, [400]),
    ),
    fc.constant(post(`/orders/${ctx.completedOrderId}/returns`, { items: validUnits, reason: 'r' }, 'return of an order that is not DELIVERED', customer, [409])),
    fc.constant(post(`/orders/${ctx.completedOrderId}/returns`, { items: validUnits, reason: 'r' }, 'return without a token', {}, [401])),
    fc.constant(post(`/admin/returns/${randomUUID()}/receive`, {}, 'receipt of an unknown return', admin, [404])),
    badUnits.map((items) => post(`/admin/returns/${randomUUID()}/receive`, { items }, 'receipt with bad items', admin, [400, 404])),
    badUnits.map((items) => post(`/orders/${ctx.completedOrderId}/cancel`, { items }, 'cancel with bad items', customer, [400])),
    fc.constant(post(`/orders/${ctx.completedOrderId}/cancel`, { items: validUnits }, 'cancel units of a COMPLETED order', customer, [409])),
    fc.oneof(fc.constant(undefined), fc.constant('t=1,v1=00'), fc.string({ maxLength: 30 })).map((signature) => ({
      method: 'POST',
      path: '/webhooks/carrier',
      headers: { ...json, ...(signature === undefined ? {} : { 'payment-signature': signature, 'carrier-signature': signature }) },
      body: JSON.stringify({ id: 'evt_x', type: 'shipment.delivered', created: 1, data: { trackingNumber: 'SIM-0', at: new Date().toISOString() } }),
      label: 'carrier webhook without a valid signature',
      expect: [400, 401],
    })),
  );
}

import type { ErrorTable } from '../http/errors';

/**
 * The one table of the API's error codes: the HTTP status each answers with and what it means (the OpenAPI
 * document's wording). The error middleware maps a DomainError's code through it; a route declares the codes it can
 * answer with by name, and its document entry gets the statuses from here.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, meaning: 'a header, the query or the body does not match the schema (details list each problem)' },
  invalid_json: { status: 400, meaning: 'the body is not valid JSON' },
  invalid_encoding: { status: 400, meaning: 'the body is not valid UTF-8, or holds a string that is not well-formed Unicode' },
  invalid_stripe_signature: { status: 400, meaning: 'the Stripe-Signature header is missing, wrong or older than 5 minutes (Stripe expects a 400)' },
  unauthorized: {
    status: 401,
    meaning:
      'missing, malformed, expired or not yet valid bearer token (a customer JWT or the ADMIN_TOKEN), bad signature, ' +
      '`alg: none`, wrong issuer or audience, no `sub`; the answer carries `WWW-Authenticate: Bearer`',
  },
  invalid_signature: {
    status: 401,
    meaning: "the Payment-Signature header is missing, wrong (not the route's secret) or older than 5 minutes",
  },
  insufficient_funds: { status: 402, meaning: 'the payment method cannot cover the amount' },
  forbidden: { status: 403, meaning: "the body's (or the query's) customerId is not the token's subject" },
  not_found: { status: 404, meaning: 'no such resource' },
  method_not_allowed: { status: 405, meaning: 'the path exists, but not with this method' },
  sku_taken: { status: 409, meaning: 'another product has this SKU' },
  insufficient_stock: {
    status: 409,
    meaning: 'not enough available stock; details: [{ productId, requested, available }]; nothing was reserved',
  },
  purchase_limit_exceeded: {
    status: 409,
    meaning:
      "the order would take the customer over a product's maxPerCustomer; details: [{ productId, limit, held, requested }] " +
      '(held: units already in their live orders); nothing was reserved',
  },
  idempotency_key_reused: { status: 409, meaning: 'this Idempotency-Key was used with a different request body' },
  not_cancellable: {
    status: 409,
    meaning: 'the order is REJECTED, COMPLETED, REFUNDED, NEEDS_ATTENTION, CHARGED_BACK or being refunded, or (goods that ship) the units have been dispatched',
  },
  not_retryable: { status: 409, meaning: 'the order has no failed compensation to retry' },
  already_exists: { status: 409, meaning: 'the resource exists already' },
  not_refundable: {
    status: 409,
    meaning:
      'the order has nothing captured to refund, or is not settled with its money (PAID: cancel it instead; NEEDS_ATTENTION)',
  },
  not_voidable: { status: 409, meaning: 'the payment cannot be voided' },
  order_disputed: {
    status: 409,
    meaning: "the order's charge is disputed (DISPUTED): no cancel or refund until the dispute is closed",
  },
  not_capturable: {
    status: 409,
    meaning: 'the order is not PAID with an authorized payment (automatic capture, not paid yet, already captured, or ended)',
  },
  authorization_expired: {
    status: 409,
    meaning: "the provider refused the capture: the payment's authorization had expired; the order is cancelled (`authorization_expired`)",
  },
  not_shippable: {
    status: 409,
    meaning: 'the order is not PAID or PARTIALLY_SHIPPED (or is being cancelled), or has no line that ships left to dispatch',
  },
  not_deliverable: { status: 409, meaning: 'the shipment’s order is no longer waiting for it (overdue, or closed)' },
  not_returnable: { status: 409, meaning: 'the order is not DELIVERED within its RETURN_WINDOW' },
  not_receivable: { status: 409, meaning: 'the return is not open (it expired, or its order closed)' },
  payload_too_large: { status: 413, meaning: 'the body is larger than REQUEST_BODY_LIMIT_BYTES' },
  unsupported_media_type: { status: 415, meaning: 'a body that is not application/json' },
  invalid_webhook_url: {
    status: 422,
    meaning:
      'the webhook endpoint url is not http(s); in production: not https, or its host resolves to a loopback, ' +
      'link-local or private address (unless WEBHOOK_ALLOW_PRIVATE=true)',
  },
  unknown_product: { status: 422, meaning: 'a product does not exist or is inactive; details: [{ productId }]' },
  inactive_product: { status: 422, meaning: 'a product is not active' },
  currency_mismatch: {
    status: 422,
    meaning: 'the products are priced in different currencies; details: [{ productId, currency }]',
  },
  order_total_too_large: {
    status: 422,
    meaning: 'the order total is above MAX_ORDER_TOTAL_CENTS; details: { totalCents, maxTotalCents }; nothing was reserved',
  },
  quantity_exceeds_order: {
    status: 422,
    meaning: 'more units than the order has left to ship, cancel or return (or than the return asked back); details name the product',
  },
  refund_exceeds_captured: {
    status: 422,
    meaning:
      'the refund is more than is left to refund (or more units of a line than were sold); details: { refundableCents, requestedCents }',
  },
  unsupported_payment_method: {
    status: 422,
    meaning: "the configured payment provider does not take this `payment.token` (the README's token table); nothing was reserved",
  },
  rate_limited: {
    status: 429,
    meaning:
      'more than ORDER_RATE_LIMIT_PER_MINUTE new orders in 60 s for this customer or email; `Retry-After` says when ' +
      'to retry, `RateLimit-Policy` / `RateLimit` describe the quotas; nothing was reserved',
  },
  too_many_open_orders: {
    status: 429,
    meaning: 'MAX_OPEN_ORDERS_PER_CUSTOMER orders already await payment; pay or cancel one (see `Retry-After`); nothing was reserved',
  },
  unpaid_units_exceeded: {
    status: 429,
    meaning: 'the customer would hold more than MAX_UNPAID_UNITS_PER_CUSTOMER units in orders awaiting payment; pay or cancel one (see `Retry-After`); nothing was reserved',
  },
  webhook_rejections_limited: {
    status: 429,
    meaning: 'more than WEBHOOK_REJECTIONS_PER_MINUTE webhook deliveries with a bad signature from this address in 60 s; see `Retry-After`; nothing was stored',
  },
  internal_error: { status: 500, meaning: 'an unexpected error (logged with the request id)' },
  not_implemented: { status: 501, meaning: 'the method is not implemented' },
  overloaded: {
    status: 503,
    meaning: 'this server has as many placements in flight as it can answer within PLACEMENT_DEADLINE (MAX_INFLIGHT_PLACEMENTS); retry after `Retry-After` seconds; nothing was reserved',
  },
  service_unavailable: { status: 503, meaning: 'a dependency is not answering; retry shortly' },
  not_ready: { status: 503, meaning: 'PostgreSQL or Temporal does not answer; details name which' },
} as const satisfies ErrorTable;

export type ErrorCode = keyof typeof ERROR_CODES;

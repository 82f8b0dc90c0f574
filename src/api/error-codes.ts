/**
 * The one table of the API's error codes: the HTTP status each answers with and what it means (the OpenAPI
 * document's wording). errorMiddleware maps a DomainError's code through it; a route declares the codes it can
 * answer with by name, and its document entry gets the statuses from here.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, meaning: 'a header, the query or the body does not match the schema (details list each problem)' },
  invalid_json: { status: 400, meaning: 'the body is not valid JSON' },
  invalid_encoding: { status: 400, meaning: 'the body is not valid UTF-8, or holds a string that is not well-formed Unicode' },
  invalid_stripe_signature: { status: 400, meaning: 'the Stripe-Signature header is missing, wrong or older than 5 minutes (Stripe expects a 400)' },
  unauthorized: { status: 401, meaning: 'missing or wrong `Authorization: Bearer <ADMIN_TOKEN>`' },
  invalid_signature: { status: 401, meaning: 'the Payment-Signature header is missing, wrong or older than 5 minutes' },
  insufficient_funds: { status: 402, meaning: 'the payment method cannot cover the amount' },
  not_found: { status: 404, meaning: 'no such resource' },
  method_not_allowed: { status: 405, meaning: 'the path exists, but not with this method' },
  sku_taken: { status: 409, meaning: 'another product has this SKU' },
  insufficient_stock: {
    status: 409,
    meaning: 'not enough available stock; details: [{ productId, requested, available }]; nothing was reserved',
  },
  idempotency_key_reused: { status: 409, meaning: 'this Idempotency-Key was used with a different request body' },
  not_cancellable: { status: 409, meaning: 'the order is REJECTED, COMPLETED, REFUNDED, NEEDS_ATTENTION or being refunded' },
  not_retryable: { status: 409, meaning: 'the order has no failed compensation to retry' },
  already_exists: { status: 409, meaning: 'the resource exists already' },
  not_refundable: { status: 409, meaning: 'the payment cannot be refunded' },
  not_voidable: { status: 409, meaning: 'the payment cannot be voided' },
  payload_too_large: { status: 413, meaning: 'the body is larger than REQUEST_BODY_LIMIT_BYTES' },
  unsupported_media_type: { status: 415, meaning: 'a body that is not application/json' },
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
  unsupported_payment_method: {
    status: 422,
    meaning: "the configured payment provider does not take this `payment.token` (the README's token table); nothing was reserved",
  },
  internal_error: { status: 500, meaning: 'an unexpected error (logged with the request id)' },
  not_implemented: { status: 501, meaning: 'the method is not implemented' },
  service_unavailable: { status: 503, meaning: 'a dependency is not answering; retry shortly' },
  not_ready: { status: 503, meaning: 'PostgreSQL or Temporal does not answer; details name which' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The status of a code, or undefined for a code the table does not know (a programming error: answered 500). */
export function statusOf(code: string): number | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode].status : undefined;
}

/** What any request with a JSON body can fail with (the body parser and the schema). */
export const BODY_ERRORS: readonly ErrorCode[] = [
  'invalid_json',
  'invalid_encoding',
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
];

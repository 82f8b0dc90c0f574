import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

/**
 * Error answers in the document: every one is the `{ error, message, details? }` body that errorMiddleware writes,
 * with `error` narrowed to the codes that route can answer with that status.
 */

const MEANING: Record<string, string> = {
  validation_failed: 'a header, the query or the body does not match the schema (details list each problem)',
  invalid_json: 'the body is not valid JSON',
  payload_too_large: 'the body is larger than REQUEST_BODY_LIMIT_BYTES',
  unsupported_media_type: 'a body that is not application/json',
  unauthorized: 'missing or wrong `Authorization: Bearer <ADMIN_TOKEN>`',
  invalid_signature: 'the Payment-Signature header is missing, wrong or older than 5 minutes',
  not_found: 'no such resource',
  sku_taken: 'another product has this SKU',
  insufficient_stock:
    'not enough available stock; details: [{ productId, requested, available }]; nothing was reserved',
  idempotency_key_reused: 'this Idempotency-Key was used with a different request body',
  not_cancellable: 'the order is REJECTED, COMPLETED, REFUNDED, NEEDS_ATTENTION or being refunded',
  not_retryable: 'the order has no failed compensation to retry',
  unknown_product: 'a product does not exist or is inactive; details: [{ productId }]',
  currency_mismatch: 'the products are priced in different currencies; details: [{ productId, currency }]',
  unsupported_payment_method:
    'the configured payment provider does not take this `payment.token` (see the README\'s token table); nothing was reserved',
  service_unavailable: 'a dependency is not answering; retry shortly',
  not_ready: 'PostgreSQL or Temporal does not answer; details name which',
  internal_error: 'an unexpected error (logged with the request id)',
};

export const errorBodySchema = z
  .object({
    error: z.string().describe('a stable machine-readable code'),
    message: z.string().describe('for people; may change'),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });

/** Status → the error codes a route answers with it. */
export type ErrorCodes = Partial<Record<number, readonly string[]>>;

/** Requests with a JSON body can always fail these ways (src/api/body.ts and parseRequest). */
export const BODY_ERRORS: ErrorCodes = {
  400: ['invalid_json', 'validation_failed'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
};
export const ADMIN_ERRORS: ErrorCodes = { 401: ['unauthorized'] };
/** Every route: an unexpected failure is a 500 with a logged stack, never a stack in the answer. */
export const COMMON_ERRORS: ErrorCodes = { 500: ['internal_error'] };

/** Merges code lists per status, keeping each code once. */
export function mergeErrors(...lists: ErrorCodes[]): ErrorCodes {
  const merged: Record<number, string[]> = {};
  for (const list of lists) {
    for (const [status, codes] of Object.entries(list)) {
      const into = (merged[Number(status)] ??= []);
      for (const code of codes ?? []) if (!into.includes(code)) into.push(code);
    }
  }
  return merged;
}

export function errorResponses(codes: ErrorCodes): Record<number, ResponseConfig> {
  const responses: Record<number, ResponseConfig> = {};
  for (const [status, list] of Object.entries(codes)) {
    if (!list?.length) continue;
    const [first, ...rest] = list;
    const schema = errorBodySchema.extend({ error: z.enum([first, ...rest]) });
    responses[Number(status)] = {
      description: list.map((code) => `\`${code}\`: ${MEANING[code] ?? code}`).join('; '),
      content: { 'application/json': { schema } },
    };
  }
  return responses;
}

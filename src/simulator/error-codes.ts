import type { ErrorTable } from '../http/errors';

/**
 * The simulator's own error table: the codes this provider answers with, and their statuses. Its errors have the
 * same `{ error, message, details? }` shape as the API's, but the two tables are separate: the provider's
 * vocabulary changes with the provider, the API's with the API.
 */
export const SIMULATOR_ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_encoding: 400,
  not_found: 404,
  method_not_allowed: 405,
  already_exists: 409,
  idempotency_key_reused: 409,
  not_voidable: 409,
  not_refundable: 409,
  dispute_closed: 409,
  not_capturable: 409,
  authorization_expired: 409,
  payload_too_large: 413,
  refund_exceeds_captured: 422,
  capture_exceeds_authorized: 422,
  unsupported_media_type: 415,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies ErrorTable;

export type SimulatorErrorCode = keyof typeof SIMULATOR_ERROR_STATUS;

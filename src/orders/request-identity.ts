import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { v5 as uuidV5 } from 'uuid';

/** The namespace of order ids derived from idempotency keys (UUIDv5). Never change it: replays depend on it. */
const ORDER_ID_NAMESPACE = '1b0f7d36-58a5-4c39-9b2e-6c1f6d2a9e41';

/**
 * The order id for a placement: derived from (customerId, key) when the client sent an Idempotency-Key, so every
 * retry lands on the same workflow id; random otherwise.
 */
export function orderIdFor(customerId: string, idempotencyKey: string | undefined): string {
  // The separator cannot occur in a customer id, so ("a", "b:c") and ("a:b", "c") differ.
  return idempotencyKey === undefined ? randomUUID() : uuidV5(`${customerId}\u0000${idempotencyKey}`, ORDER_ID_NAMESPACE);
}

/**
 * The id of a shipment or a return of an order: derived from the request's Idempotency-Key, so a retried request
 * lands on the same one (random without a key).
 */
export function orderPartIdFor(kind: 'shipment' | 'return', orderId: string, idempotencyKey: string | undefined): string {
  return idempotencyKey === undefined ? randomUUID() : uuidV5(`${kind}\u0000${orderId}\u0000${idempotencyKey}`, ORDER_ID_NAMESPACE);
}

/** sha256 of the body in RFC 8785 canonical JSON (sorted keys): what makes "the same request" with the same key. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalize(body) ?? '').digest('hex');
}

import { createHash, randomUUID } from 'node:crypto';

/** The namespace of order ids derived from idempotency keys (UUIDv5). Never change it: replays depend on it. */
const ORDER_ID_NAMESPACE = '1b0f7d36-58a5-4c39-9b2e-6c1f6d2a9e41';

/** RFC 4122 version-5 UUID: sha1(namespace bytes + name), with the version and variant bits set. */
export function uuidV5(name: string, namespace = ORDER_ID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The order id for a placement: derived from (customerId, key) when the client sent an Idempotency-Key, so every
 * retry lands on the same workflow id; random otherwise.
 */
export function orderIdFor(customerId: string, idempotencyKey: string | undefined): string {
  // The separator cannot occur in a customer id, so ("a", "b:c") and ("a:b", "c") differ.
  return idempotencyKey === undefined ? randomUUID() : uuidV5(`${customerId}\u0000${idempotencyKey}`);
}

/** JSON with sorted object keys, so the same request body always serialises the same way. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the canonical body: what makes "the same request" with the same key. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

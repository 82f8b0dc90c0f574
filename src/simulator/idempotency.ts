import canonicalize from 'canonicalize';
import { DomainError } from '../errors';

/**
 * Remembers which request each Idempotency-Key was first used with, and what it produced. The simulator handles
 * each request synchronously between lookup() and remember(), so two concurrent requests with one key cannot
 * both miss.
 */
export class IdempotencyStore<T> {
  private readonly entries = new Map<string, { fingerprint: string; value: T }>();

  /**
   * The value stored for `key`, or undefined when the key is new. The same key with a different request
   * (fingerprint) is a client bug: 409 `idempotency_key_reused`.
   */
  lookup(key: string, fingerprint: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.fingerprint !== fingerprint) {
      throw new DomainError('idempotency_key_reused', 'this Idempotency-Key was already used with a different request');
    }
    return entry.value;
  }

  remember(key: string, fingerprint: string, value: T): void {
    this.entries.set(key, { fingerprint, value });
  }
}

/** A stable text form of a JSON value (RFC 8785 canonical JSON): `{a,b}` and `{b,a}` are the same request. */
export function fingerprint(value: unknown): string {
  return canonicalize(value) ?? '';
}

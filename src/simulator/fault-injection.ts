import { DomainError } from '../errors';

/**
 * Chaos switch: with probability `rate` (0..1) the request is refused with 503 before it changes anything, as a
 * provider having an outage would. Callers must retry (with the same idempotency key) to get through.
 */
export function maybeInjectOutage(rate: number, random: () => number, what: string): void {
  if (rate > 0 && random() < rate) {
    throw new DomainError('service_unavailable', `${what} is temporarily unavailable (injected fault)`);
  }
}

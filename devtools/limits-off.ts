/**
 * Settings that take the order limits and the in-flight cap out of the way, for runs that measure or stress
 * something else (tests, the bench's throughput legs, chaos runs place many orders per customer and many at once).
 * The limits have tests of their own.
 */
export const ORDER_LIMITS_OFF = {
  ORDER_RATE_LIMIT_PER_MINUTE: '1000000',
  MAX_OPEN_ORDERS_PER_CUSTOMER: '1000000',
  MAX_INFLIGHT_PLACEMENTS: '100000',
} as const;

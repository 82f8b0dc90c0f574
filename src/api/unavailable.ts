import { ServiceError } from '@temporalio/client';

// gRPC status codes that mean "the server is not there right now", not "the request was wrong".
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
// PostgreSQL: connection failures (class 08), shutdown in progress (57P01–57P03), too many connections (53300).
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;
const NODE_CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * True when a request failed because PostgreSQL or Temporal could not be reached (a restart, an outage): the client
 * should retry, so the API answers 503 rather than 500. With an Idempotency-Key, the retry is safe.
 */
export function isDependencyUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (e instanceof ServiceError || (e as { name?: string }).name === 'ServiceError') {
      const grpc = (e as { cause?: { code?: unknown } }).cause?.code;
      if (grpc === GRPC_UNAVAILABLE || grpc === GRPC_DEADLINE_EXCEEDED) return true;
    }
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return true;
    if (typeof code === 'string' && (PG_UNAVAILABLE.test(code) || NODE_CONNECT_ERRORS.has(code))) return true;
    if (/Connection terminated|connect ECONNREFUSED|Knex: Timeout acquiring a connection/.test((e as Error).message ?? '')) return true;
  }
  return false;
}

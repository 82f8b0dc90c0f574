import type { Middleware } from 'koa';
import { z } from 'zod';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { zodDetails } from '../validation';
import type { ErrorTable } from './errors';
import { errorBody, HttpError, statusIn } from './errors';

/**
 * Turns whatever a request ends with into a JSON answer: an HttpError keeps its status, a DomainError gets the
 * status `table` gives its code, a ZodError is 400, a dependency that does not answer is 503 (retry), anything else
 * a logged 500 without a stack trace. A path no route serves is 404, a method it does not serve 405 (501 where the
 * table knows `not_implemented`, for methods no route anywhere uses).
 */
export function errorMiddleware(logger: Logger, table: ErrorTable): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = errorBody('not_found', `no route for ${ctx.method} ${ctx.path}`);
      } else if (ctx.status === 405 || ctx.status === 501) {
        const code =
          ctx.status === 501 && statusIn(table, 'not_implemented') === 501 ? 'not_implemented' : 'method_not_allowed';
        ctx.status = code === 'not_implemented' ? 501 : 405;
        ctx.body = errorBody(code, `${ctx.method} is not allowed on ${ctx.path}`);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = errorBody(err.code, err.message, err.details);
      } else if (err instanceof z.ZodError) {
        ctx.status = 400;
        ctx.body = errorBody('validation_failed', 'the request is not valid', zodDetails(err));
      } else if (err instanceof DomainError && statusIn(table, err.code) !== undefined) {
        // A code missing from the table is a programming error: it falls through to 500 (and is logged).
        ctx.status = statusIn(table, err.code)!;
        ctx.body = errorBody(err.code, err.message, err.details);
      } else if (isClientError(err)) {
        // Koa/http-errors raised by middleware (e.g. a malformed URL) carry their own 4xx status.
        ctx.status = err.status;
        ctx.body = errorBody(err.code ?? 'bad_request', err.expose ? err.message : 'bad request');
      } else if (isDependencyUnavailable(err)) {
        (ctx.state.logger ?? logger).warn({ err, method: ctx.method, path: ctx.path }, 'a dependency is unavailable');
        ctx.status = 503;
        ctx.set('Retry-After', '1');
        ctx.body = errorBody('service_unavailable', 'a backing service is not answering; retry shortly');
      } else {
        // The request's child logger when there is one, so the stack can be found by the X-Request-Id a client reports.
        (ctx.state.logger ?? logger).error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
        ctx.status = 500;
        ctx.body = errorBody('internal_error', 'an unexpected error occurred');
      }
    }
  };
}

function isClientError(err: unknown): err is { status: number; code?: string; expose?: boolean; message: string } {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

// gRPC status codes that mean "the server is not there right now", not "the request was wrong".
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_FAILED_PRECONDITION = 9;
// Temporal refuses updates while a workflow's task keeps failing or timing out (a worker killed mid-task, an
// overloaded worker): the workflow is not wrong, it is not running right now, and the update succeeds once a worker
// completes its task again.
const TEMPORAL_TASK_NOT_RUNNING = /Workflow Task in failed state/;
// PostgreSQL: connection failures (class 08), shutdown in progress (57P01–57P03), too many connections (53300).
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;
const NODE_CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * True when a request failed because PostgreSQL or Temporal could not be reached (a restart, an outage), or Temporal
 * cannot run the workflow's task for now: the client should retry, so the answer is 503 rather than 500. With an
 * Idempotency-Key, the retry is safe.
 */
function isDependencyUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    // gRPC codes, on the gRPC error itself: the cause of Temporal's ServiceError, or the error Update-with-Start
    // rethrows with the refused operation's own code and message (known by shape: the toolkit serves apps that never
    // load the Temporal client).
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return true;
    if (code === GRPC_FAILED_PRECONDITION && TEMPORAL_TASK_NOT_RUNNING.test((e as Error).message ?? '')) return true;
    if (typeof code === 'string' && (PG_UNAVAILABLE.test(code) || NODE_CONNECT_ERRORS.has(code))) return true;
    if (
      /Connection terminated|connect ECONNREFUSED|Knex: Timeout acquiring a connection/.test((e as Error).message ?? '')
    )
      return true;
  }
  return false;
}

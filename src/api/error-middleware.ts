import type { Middleware } from 'koa';
import { ServiceError } from '@temporalio/client';
import { z } from 'zod';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { statusOf } from './error-codes';

/** An error that already knows its HTTP status (request-shape problems raised at the boundary). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function errorBody(code: string, message: string, details?: unknown) {
  return details === undefined ? { error: code, message } : { error: code, message, details };
}

/** Turns a zod error into the `details` list clients get: where, and what was wrong. */
export function zodDetails(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code, message: issue.message }));
}

/**
 * Parses one part of a request (body, query, params, headers) once, at the boundary.
 * Failures are 400 `validation_failed` with the zod issues, prefixed by the part's name.
 */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, part: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(
      400,
      'validation_failed',
      `the request ${part} is not valid`,
      zodDetails(result.error).map((d) => ({ ...d, path: d.path ? `${part}.${d.path}` : part })),
    );
  }
  return result.data;
}

export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = errorBody('not_found', `no route for ${ctx.method} ${ctx.path}`);
      } else if (ctx.status === 405 || ctx.status === 501) {
        ctx.body = errorBody(ctx.status === 405 ? 'method_not_allowed' : 'not_implemented', `${ctx.method} is not allowed on ${ctx.path}`);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = errorBody(err.code, err.message, err.details);
      } else if (err instanceof z.ZodError) {
        ctx.status = 400;
        ctx.body = errorBody('validation_failed', 'the request is not valid', zodDetails(err));
      } else if (err instanceof DomainError && statusOf(err.code) !== undefined) {
        // A code missing from ERROR_CODES is a programming error: it falls through to 500 (and is logged).
        ctx.status = statusOf(err.code)!;
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
// PostgreSQL: connection failures (class 08), shutdown in progress (57P01–57P03), too many connections (53300).
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;
const NODE_CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * True when a request failed because PostgreSQL or Temporal could not be reached (a restart, an outage): the client
 * should retry, so the API answers 503 rather than 500. With an Idempotency-Key, the retry is safe.
 */
function isDependencyUnavailable(err: unknown): boolean {
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

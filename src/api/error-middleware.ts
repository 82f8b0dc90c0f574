import type { Middleware } from 'koa';
import { z } from 'zod';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { statusOf } from './error-codes';
import { isDependencyUnavailable } from './unavailable';

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

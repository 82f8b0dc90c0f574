import type { Middleware } from 'koa';
import { HttpError } from '../../api/error-middleware';
import { DomainError } from '../../errors';
import type { Logger } from '../../logger';

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
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type SimulatorErrorCode = keyof typeof SIMULATOR_ERROR_STATUS;

function isSimulatorCode(code: string): code is SimulatorErrorCode {
  return Object.hasOwn(SIMULATOR_ERROR_STATUS, code);
}

const body = (error: string, message: string, details?: unknown) =>
  details === undefined ? { error, message } : { error, message, details };

/**
 * Turns what the simulator's handlers throw into JSON errors: request-shape errors (HttpError from the body parser
 * and request validation) keep their status, domain errors get theirs from the table, anything else is a logged 500.
 */
export function simulatorErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = body('not_found', `no route for ${ctx.method} ${ctx.path}`);
      } else if (ctx.status === 405 || ctx.status === 501) {
        ctx.status = 405;
        ctx.body = body('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = body(err.code, err.message, err.details);
      } else if (err instanceof DomainError && isSimulatorCode(err.code)) {
        ctx.status = SIMULATOR_ERROR_STATUS[err.code];
        ctx.body = body(err.code, err.message, err.details);
      } else if (isClientError(err)) {
        // Koa's own 4xx errors (e.g. a malformed URL).
        ctx.status = err.status;
        ctx.body = body('bad_request', err.expose ? err.message : 'bad request');
      } else {
        logger.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
        ctx.status = 500;
        ctx.body = body('internal_error', 'an unexpected error occurred');
      }
    }
  };
}

function isClientError(err: unknown): err is { status: number; expose?: boolean; message: string } {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

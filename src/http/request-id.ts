import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Logger } from '../logger';

declare module 'koa' {
  interface DefaultState {
    /** Set by requestId() for every request: the incoming X-Request-Id when sane, a fresh UUID otherwise. */
    requestId?: string;
    /** A child of the service logger carrying `requestId`; log through it so lines can be joined per request. */
    logger?: Logger;
  }
}

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Accepted as given: short, and only characters that cannot forge a log line or a header (no spaces, quotes,
 * control characters). Anything else is replaced rather than refused: a bad id must never fail a request.
 */
export const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function requestId(logger: Logger): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get(REQUEST_ID_HEADER);
    const id = SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.state.logger = logger.child({ requestId: id });
    ctx.set(REQUEST_ID_HEADER, id);
    await next();
  };
}

/** The request's logger, or the service logger outside a request (e.g. an app built without requestId()). */
export function requestLogger(ctx: Context, fallback: Logger): Logger {
  return ctx.state.logger ?? fallback;
}

/** X-Request-Id as the document of an app that mounts requestId() describes it, on every operation and answer. */
export const REQUEST_ID_HEADERS = {
  request: z.object({
    [REQUEST_ID_HEADER]: z
      .string()
      .regex(SANE_REQUEST_ID)
      .optional()
      .describe('Echoed back and logged with every line of this request; a missing or unusable one is replaced by a UUID'),
  }),
  response: z.object({ [REQUEST_ID_HEADER]: z.string().describe('The request id this request was logged under') }),
};

import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { HttpError } from './errors';

declare module 'koa' {
  interface Request {
    /** The exact bytes of the request body (webhook signatures are computed over them). */
    rawBody?: Buffer;
    /** The parsed JSON body; `undefined` when the request has none. */
    body?: unknown;
  }
}

// ignoreBOM keeps a byte-order mark in the text, so JSON.parse refuses it as before (RFC 8259: senders must not add one).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** JSON escapes can still spell lone surrogates ("\\ud800"): not text, so not accepted. */
function rejectLoneSurrogates(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && !value.isWellFormed()) {
    throw new HttpError(400, 'invalid_encoding', 'the request body contains a string that is not well-formed Unicode');
  }
  return value;
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Reads JSON bodies with raw-body under a hard size limit (a declared Content-Length over it is refused before a
 * byte is read), keeping the raw bytes. Every failure is a 4xx JSON error: too large → 413, not JSON → 415,
 * malformed UTF-8, JSON or Unicode → 400.
 */
export function jsonBody(limitBytes: number): Middleware {
  return async (ctx, next) => {
    if (!METHODS_WITH_BODY.has(ctx.method)) return next();
    const raw = await readRaw(ctx.req, ctx.get('content-length'), limitBytes);
    ctx.request.rawBody = raw;
    if (raw.length === 0) {
      ctx.request.body = undefined;
      return next();
    }
    if (!ctx.is('application/json', '+json')) {
      throw new HttpError(415, 'unsupported_media_type', 'request bodies must be application/json');
    }
    let text: string;
    try {
      // fatal: malformed UTF-8 is refused, never silently turned into U+FFFD (distinct ids would collide).
      text = UTF8.decode(raw);
    } catch {
      throw new HttpError(400, 'invalid_encoding', 'the request body is not valid UTF-8');
    }
    try {
      ctx.request.body = JSON.parse(text, rejectLoneSurrogates);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
    }
    return next();
  };
}

async function readRaw(req: IncomingMessage, contentLength: string, limit: number): Promise<Buffer> {
  try {
    return await getRawBody(req, { limit, length: contentLength === '' ? undefined : contentLength });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw new HttpError(413, 'payload_too_large', `request bodies are limited to ${limit} bytes`);
    }
    throw err; // raw-body's own 4xx (a body shorter than its Content-Length, an aborted request)
  }
}

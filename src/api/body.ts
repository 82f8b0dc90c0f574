import type { Middleware } from 'koa';
import { HttpError } from './error-middleware';

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
 * Reads JSON bodies with a hard size limit, keeping the raw bytes. Every failure is a 4xx JSON error:
 * too large → 413, not JSON → 415, malformed JSON → 400.
 */
export function jsonBody(limitBytes: number): Middleware {
  return async (ctx, next) => {
    if (!METHODS_WITH_BODY.has(ctx.method)) return next();
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > limitBytes) throw tooLarge(limitBytes);

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) throw tooLarge(limitBytes);
      chunks.push(chunk);
    }
    const raw = Buffer.concat(chunks);
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

function tooLarge(limit: number) {
  return new HttpError(413, 'payload_too_large', `request bodies are limited to ${limit} bytes`);
}

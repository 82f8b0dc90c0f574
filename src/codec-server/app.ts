import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { PayloadCodec } from '@temporalio/common';
import Koa from 'koa';
import { z } from 'zod';
import { jsonBody } from '../http/body';
import { errorMiddleware } from '../http/error-middleware';
import { HttpError, TOOLKIT_ERRORS } from '../http/errors';
import type { Logger } from '../logger';
import { PayloadDecryptionError } from '../temporal/encryption-codec';
import { parseInput } from '../validation';

/**
 * Temporal's codec-server protocol: the Web UI (and `temporal … --codec-endpoint`) POSTs the payloads it shows to
 * {endpoint}/decode and gets them back decoded; /encode is the reverse. Bodies are
 * `{ "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }`, the namespace comes in `X-Namespace`.
 * It decodes for whoever may call it: keep it on loopback or behind CODEC_AUTH_TOKEN.
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  logger: Logger;
  /** Browser origins allowed to call it (the Web UI's). */
  corsOrigins: string[];
  /** When set, every call needs `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Histories can be large; the Web UI sends a whole page of events at once. */
  bodyLimitBytes?: number;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const payloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })).max(10_000),
});
type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

const fromJson = (p: JsonPayload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The headers the Web UI sends with its calls (and asks about in its preflight). */
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization, Caller-Type, Authorization-Extras';

function cors(origins: string[]): Koa.Middleware {
  const allowed = new Set(origins);
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (origin && allowed.has(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Credentials', 'true');
      ctx.vary('Origin');
      if (ctx.method === 'OPTIONS') {
        ctx.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
        ctx.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        ctx.set('Access-Control-Max-Age', '600');
        ctx.status = 204;
        return;
      }
    }
    await next();
  };
}

/** The session cookie the Web UI's calls carry (it sends credentials: TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true). */
const SESSION_COOKIE = 'codec_session';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** True when `candidate` is the token; digests are compared, so neither time nor length says how close it was. */
function tokenMatcher(token: string): (candidate: string | undefined) => boolean {
  const expected = sha256(token);
  return (candidate) => candidate !== undefined && timingSafeEqual(sha256(candidate), expected);
}

/**
 * Who may call: with CODEC_AUTH_TOKEN set, `Authorization: Bearer <token>` (the CLI) or the session cookie holding it
 * (the Web UI, which cannot send a fixed header: see the session routes); without it, whoever reaches the port
 * (production refuses that beyond loopback).
 */
function bearer(token: string | undefined): Koa.Middleware {
  const matches = token ? tokenMatcher(token) : undefined;
  return async (ctx, next) => {
    if (matches) {
      const authorization = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
      if (!matches(authorization) && !matches(ctx.cookies.get(SESSION_COOKIE) ?? undefined)) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new HttpError(401, 'unauthorized', 'the codec server needs Authorization: Bearer <CODEC_AUTH_TOKEN> (or its session cookie)');
      }
    }
    await next();
  };
}

/** A page where an operator enters the token once; the browser then keeps it as an HttpOnly, same-site cookie. */
const SESSION_PAGE = `<!doctype html><meta charset="utf-8"><title>Codec server session</title>
<form id="f"><label>CODEC_AUTH_TOKEN <input type="password" name="token" autocomplete="off" required></label>
<button>Start session</button></form><p id="m"></p>
<script>document.getElementById('f').onsubmit=async(e)=>{e.preventDefault();
const r=await fetch('session',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({token:e.target.token.value})});
document.getElementById('m').textContent=r.ok?'Session started: the Web UI can decode payloads now.':'Wrong token.';};</script>`;

function sessionRoutes(router: Router, token: string | undefined): void {
  router.get('/codec/session', (ctx) => {
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', "default-src 'none'; script-src 'unsafe-inline'; connect-src 'self'");
    ctx.body = SESSION_PAGE;
  });
  const matches = token ? tokenMatcher(token) : undefined;
  router.post('/codec/session', (ctx) => {
    const { token: given } = parseInput(z.object({ token: z.string().max(1000) }), ctx.request.body, 'body');
    if (!matches) throw new HttpError(404, 'not_found', 'no CODEC_AUTH_TOKEN is configured: no session is needed');
    if (!matches(given)) throw new HttpError(401, 'unauthorized', 'wrong token');
    // SameSite=Strict: sent with the Web UI's calls (same site, another port), never with another site's.
    ctx.cookies.set(SESSION_COOKIE, given, { httpOnly: true, sameSite: 'strict', path: '/codec', maxAge: 12 * 3600_000, overwrite: true });
    ctx.status = 204;
  });
}

export function createCodecServerApp(options: CodecServerOptions): Koa {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  sessionRoutes(router, options.authToken);
  for (const direction of ['encode', 'decode'] as const) {
    // Who may call: any caller with the bearer token when CODEC_AUTH_TOKEN is set; otherwise whoever reaches the port.
    router.post(`/codec/${direction}`, bearer(options.authToken), async (ctx) => {
      const { payloads } = parseInput(payloadsBody, ctx.request.body, 'body');
      try {
        const result = await options.codec[direction](payloads.map(fromJson));
        ctx.body = { payloads: result.map(toJson) };
      } catch (err) {
        if (err instanceof PayloadDecryptionError) throw new HttpError(422, 'undecodable_payload', err.message);
        throw err;
      }
      options.logger.debug({ direction, namespace: ctx.get('x-namespace') || undefined, count: payloads.length }, 'codec request');
    });
  }
  app.use(cors(options.corsOrigins));
  app.use(errorMiddleware(options.logger, TOOLKIT_ERRORS));
  app.use(jsonBody(options.bodyLimitBytes ?? 8 * 1024 * 1024));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/** The Web UI's origin (from TEMPORAL_UI_URL) in both loopback spellings, unless CODEC_CORS_ORIGINS says otherwise. */
export function codecCorsOrigins(config: { TEMPORAL_UI_URL: string; CODEC_CORS_ORIGINS?: string }): string[] {
  if (config.CODEC_CORS_ORIGINS) return config.CODEC_CORS_ORIGINS.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
  const ui = new URL(config.TEMPORAL_UI_URL);
  const origins = [ui.origin];
  if (ui.hostname === '127.0.0.1') origins.push(ui.origin.replace('127.0.0.1', 'localhost'));
  if (ui.hostname === 'localhost') origins.push(ui.origin.replace('localhost', '127.0.0.1'));
  return origins;
}

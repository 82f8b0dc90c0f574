import { timingSafeEqual } from 'node:crypto';
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

function bearer(token: string | undefined): Koa.Middleware {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return async (ctx, next) => {
    if (expected) {
      const given = Buffer.from(ctx.get('authorization'));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new HttpError(401, 'unauthorized', 'the codec server needs Authorization: Bearer <CODEC_AUTH_TOKEN>');
      }
    }
    await next();
  };
}

export function createCodecServerApp(options: CodecServerOptions): Koa {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
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

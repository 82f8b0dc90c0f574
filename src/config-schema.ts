import { z } from 'zod';
import { DEFAULT_MAX_ORDER_TOTAL_CENTS } from './catalog/limits';
import {
  DEVELOPMENT_ADMIN_TOKEN,
  DEVELOPMENT_STRIPE_SECRET_KEY,
  DEVELOPMENT_WEBHOOK_SECRET,
  DEVELOPMENT_CARRIER_WEBHOOK_SECRET,
} from './development-defaults';
import { DEV_ENCRYPTION_KEYS, parseEncryptionKeys } from './temporal/encryption-keys';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { pemOrFile } from './temporal/pem';
import { TRACES_SAMPLERS } from './telemetry/sampler-setting';

/**
 * A duration setting: a string such as "8s", "15m" or "250ms" (Temporal's duration strings, the format of the
 * workflow timeouts), parsed once at start-up into milliseconds.
 */
export function parseDuration(text: string): number | undefined {
  try {
    const ms = msToNumber(text.trim() as Duration);
    return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as "8s", "15m" or "250ms", got "${text}"` });
        return z.NEVER;
      }
      return ms;
    });

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const rate = z.coerce.number().min(0).max(1).default(0);
const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('0')
  .transform((v) => v === '1' || v === 'true');

/**
 * Every environment variable the service reads, with working local defaults.
 * `.env.example` documents each one; keep the two in step.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/order_saga'),
  DATABASE_POOL_MAX: positiveInt(10),
  /**
   * How long a pooled connection may sit idle before it is closed. A new connection costs PostgreSQL a backend, its
   * catalogue caches, the PL/pgSQL triggers compiled again and every prepared statement parsed again, so a pool
   * that closed its connections after every short lull paid that again at each burst.
   */
  DATABASE_POOL_IDLE_TIMEOUT: duration('10m'),
  /**
   * on (default): the statements every order runs through are named prepared statements, parsed once per
   * connection; off: sent unnamed, for a pooler in front of PostgreSQL that cannot keep them (PgBouncer in
   * transaction mode before 1.21).
   */
  DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off']).default('on'),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('orders'),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),

  PORT: port(3000),
  HOST: z.string().default('0.0.0.0'),
  ADMIN_TOKEN: z.string().min(8).default(DEVELOPMENT_ADMIN_TOKEN),
  PUBLIC_BASE_URL: z.url().optional(),
  REQUEST_BODY_LIMIT_BYTES: positiveInt(64 * 1024),

  WORKER_METRICS_PORT: port(9464),
  /** When set, `/metrics` (API and worker) requires `Authorization: Bearer <token>`; production requires it. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** The Temporal SDK's Prometheus exporter, on loopback; the worker's /metrics includes it. 0 turns it off. */
  WORKER_SDK_METRICS_PORT: port(9465),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt(40),
  /**
   * Workflows kept in the worker's memory between their tasks. A saga waits CANCEL_WINDOW (30 min) after payment, so
   * at a steady rate the cache fills whatever its size, and each cached saga holds ~0.3 MiB: 1000 took the worker from
   * 330 to 620 MiB in a 4-min soak at 6 orders/s, still climbing; 100 held it flat at ~340 MiB for the same CPU per
   * order (bench/README.md, "Memory"). An evicted saga replays its short history (~30 events) at its next task.
   */
  WORKER_MAX_CACHED_WORKFLOWS: positiveInt(100),
  RESERVATION_CONCURRENCY: positiveInt(8),
  /** The API's in-process cache of GET /products answers, invalidated by LISTEN/NOTIFY; off: every read goes to the database. */
  CATALOG_CACHE: z
    .enum(['on', 'off'])
    .default('on')
    .transform((v) => v === 'on'),

  // Bounded amounts: the largest order total accepted, in minor units (the API answers 422 order_total_too_large).
  MAX_ORDER_TOTAL_CENTS: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(DEFAULT_MAX_ORDER_TOTAL_CENTS),

  PAYMENT_TIMEOUT: duration('15m'),
  CANCEL_WINDOW: duration('30m'),
  // automatic: the provider captures the payment when it succeeds. manual: it only authorizes at placement, and the
  // saga captures when the cancel window ends, AUTHORIZATION_TTL after the authorization at the latest, or when an
  // operator asks (POST /admin/orders/{id}/capture); a cancel before the capture voids the authorization.
  PAYMENT_CAPTURE: z.enum(['automatic', 'manual']).default('automatic'),
  // Stripe holds an authorization for 7 days: capture a day before.
  AUTHORIZATION_TTL: duration('6d'),
  // How long a saga that gave money back waits for the provider's word on the refund (its webhook) before closing.
  REFUND_CONFIRMATION_TIMEOUT: duration('24h'),
  NOTIFY_MAX_ATTEMPTS: positiveInt(10),
  PAYMENT_WEBHOOK_SECRET: z.string().min(8).default(DEVELOPMENT_WEBHOOK_SECRET),
  /** How long the webhook inbox keeps verified events (providers stop redelivering long before). */
  WEBHOOK_EVENT_RETENTION: duration('30d'),
  /** Deliveries with a bad signature one source may send per minute before they are answered 429, unrecorded. */
  WEBHOOK_REJECTIONS_PER_MINUTE: positiveInt(30),

  // Goods that ship: after the last delivery the customer may return units for RETURN_WINDOW, then the order is
  // COMPLETED; a shipment not delivered within DELIVERY_TIMEOUT of its dispatch needs an operator; a return not
  // received within RETURN_RECEIPT_TIMEOUT is closed `expired` without refund.
  RETURN_WINDOW: duration('14d'),
  DELIVERY_TIMEOUT: duration('30d'),
  RETURN_RECEIPT_TIMEOUT: duration('30d'),
  /** The carrier that gives shipments their tracking numbers (the simulator answers POST /v1/shipments). */
  CARRIER_URL: z.url().default('http://127.0.0.1:4010'),
  /** Signs the carrier's webhooks (POST /webhooks/carrier), like PAYMENT_WEBHOOK_SECRET the payment provider's. */
  CARRIER_WEBHOOK_SECRET: z.string().min(8).default(DEVELOPMENT_CARRIER_WEBHOOK_SECRET),

  PAYMENT_PROVIDER_URL: z.url().default('http://127.0.0.1:4010'),
  NOTIFIER_URL: z.url().default('http://127.0.0.1:4010'),

  SIMULATOR_PORT: port(4010),
  SIM_WEBHOOK_URL: z.url().default('http://127.0.0.1:3000/webhooks/payments'),
  SIM_WEBHOOK_DELAY_MS: z.coerce.number().int().min(0).default(200),
  /** Where the simulated carrier posts its shipment webhooks. */
  SIM_CARRIER_WEBHOOK_URL: z.url().default('http://127.0.0.1:3000/webhooks/carrier'),
  /** How long after a dispatch the simulated carrier reports the shipment in transit, and as long again delivered. */
  SIM_DELIVERY_DELAY_MS: z.coerce.number().int().min(0).default(500),
  SIM_SLOW_MS: z.coerce.number().int().min(0).default(5000),
  /** tok_disputed: how long after the money is captured the simulator opens a dispute. */
  SIM_DISPUTE_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  /** How long a tok_auth_expires authorization holds before it lapses (manual capture). */
  SIM_AUTH_TTL_MS: z.coerce.number().int().min(0).default(5000),
  SIM_WEBHOOK_MAX_ATTEMPTS: positiveInt(8),
  SIM_DUPLICATE_WEBHOOKS: flag,
  SIM_SHUFFLE_WEBHOOKS: flag,
  SIM_PAYMENT_FAIL_RATE: rate,
  SIM_NOTIFY_FAIL_RATE: rate,

  // Payment provider selection and the Stripe adapter (src/payments/stripe/).
  PAYMENT_PROVIDER: z.enum(['simulator', 'stripe']).default('simulator'),
  /** Secret or restricted API key. The default only works against stripe-mock; Stripe itself refuses it. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[0-9A-Za-z]+$/, 'expected a Stripe secret key (sk_test_…, sk_live_…) or restricted key (rk_test_…, rk_live_…)')
    .default(DEVELOPMENT_STRIPE_SECRET_KEY),
  /**
   * The signing secret of the webhook endpoint (`whsec_…`), from the Dashboard or `stripe listen`. Unset: the
   * shipped development secret outside production (loadConfig fills it in), nothing in production.
   */
  STRIPE_WEBHOOK_SECRET: z.string().min(8).optional(),
  /** Where the Stripe SDK sends API calls, as protocol://host:port (stripe-mock in tests); unset → api.stripe.com. */
  STRIPE_API_BASE: z
    .url()
    .refine((u) => /^https?:\/\/[^/?#]+\/?$/.test(u), 'expected protocol://host[:port] with no path, e.g. http://127.0.0.1:12111')
    .optional(),
  // --- payload encryption, the codec server and tracing
  /** `keyId:base64Key,…`, newest first: the first encrypts Temporal payloads, every one decrypts (key rotation). */
  PAYLOAD_ENCRYPTION_KEYS: z
    .string()
    .default(DEV_ENCRYPTION_KEYS)
    .transform((text, ctx) => {
      const keys = parseEncryptionKeys(text);
      if (typeof keys === 'string') {
        ctx.addIssue({ code: 'custom', message: keys });
        return z.NEVER;
      }
      return keys;
    }),
  CODEC_PORT: port(8888),
  /** Loopback by default: the codec server hands decrypted payloads to whoever reaches it. */
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, the codec server requires `Authorization: Bearer <token>`; production requires it off loopback. */
  CODEC_AUTH_TOKEN: z.string().min(16).optional(),
  /** Origins (comma-separated) whose pages may call the codec server; default: the origin of TEMPORAL_UI_URL. */
  CODEC_CORS_ORIGINS: z.string().optional(),
  /** OTLP over HTTP (e.g. http://127.0.0.1:4318); unset, no tracing SDK is started. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Which traces are kept (src/telemetry/sampler.ts); unset: parentbased_traceidratio at 0.1 in production, all elsewhere. */
  OTEL_TRACES_SAMPLER: z.enum(TRACES_SAMPLERS).optional(),
  /** The kept share for the *traceidratio samplers, 0..1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  // Temporal cluster connection: TLS / mTLS and Temporal Cloud API keys (src/temporal/connection.ts)
  /** TLS with the system's trusted roots even when no certificate below is set. */
  TEMPORAL_TLS: flag,
  /** Client certificate and key for mTLS, and the CA that signed the server's certificate: PEM text or a file path. */
  TEMPORAL_TLS_CERT: pemOrFile.optional(),
  TEMPORAL_TLS_KEY: pemOrFile.optional(),
  TEMPORAL_TLS_CA: pemOrFile.optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),

  // --- customer tokens, order limits and overload answers
  /** HS256 secret for customer tokens. Unset: a development secret outside production, HS256 off in production. */
  AUTH_JWT_SECRET: z.string().min(1).optional(),
  /** An OIDC provider's JWKS (RS256/ES256 tokens); needs AUTH_ISSUER and AUTH_AUDIENCE. */
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  ORDER_RATE_LIMIT_PER_MINUTE: positiveInt(5),
  MAX_OPEN_ORDERS_PER_CUSTOMER: positiveInt(5),
  /** Units one customer may hold in unpaid orders at once (stock held until payment or PAYMENT_TIMEOUT); 429 past it. */
  MAX_UNPAID_UNITS_PER_CUSTOMER: positiveInt(10_000),
  PLACEMENT_DEADLINE: duration('5s'),
  /**
   * Placements in flight per API process before 503 `overloaded`: `auto` (default) sizes the cap from the placements
   * this process completed in the last 10 s × PLACEMENT_DEADLINE, between 16 and 256 (src/inflight-gate.ts); a
   * number fixes it.
   */
  MAX_INFLIGHT_PLACEMENTS: z
    .string()
    .default('auto')
    .transform((text, ctx): number | 'auto' => {
      const value = text.trim();
      if (value === 'auto') return 'auto';
      const n = Number(value);
      if (/^\d+$/.test(value) && Number.isSafeInteger(n) && n > 0) return n;
      ctx.addIssue({ code: 'custom', message: `expected "auto" or a positive whole number, got "${text}"` });
      return z.NEVER;
    }),

  // --- outbound webhooks (src/outbox, docs/webhooks-out.md)
  /** The waits before each retry of a delivery that did not get a 2xx; after the last, the message is `failed`. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('5s,5m,30m,2h,5h,10h,10h')
    .transform((text, ctx) => {
      const waits = text.split(',').map((part) => parseDuration(part));
      if (text.trim() === '' || waits.some((ms) => ms === undefined)) {
        ctx.addIssue({ code: 'custom', message: `expected durations separated by commas such as "5s,5m,30m", got "${text}"` });
        return z.NEVER;
      }
      return waits as number[];
    }),
  /** How long a rotated-out endpoint secret still signs beside the new one. */
  WEBHOOK_SECRET_OVERLAP: duration('24h'),
  /** Endpoint URLs may name loopback, link-local or private addresses in production (they always may elsewhere). */
  WEBHOOK_ALLOW_PRIVATE: flag,
  /** Delivered messages older than this are deleted (events too, once none of their messages is left pending or failed). */
  WEBHOOK_MESSAGE_RETENTION: duration('30d'),
  /** Per delivery attempt. */
  WEBHOOK_TIMEOUT: duration('15s'),
  /** on (default): every worker process runs a relay; off: this worker delivers nothing. */
  WEBHOOK_RELAY: z.enum(['on', 'off']).default('on'),
  /** How often an idle relay looks for due messages. */
  WEBHOOK_RELAY_POLL_INTERVAL: duration('200ms'),
  /** Deliveries in flight at once per relay. */
  WEBHOOK_RELAY_CONCURRENCY: positiveInt(32),

  // --- payload encryption switch (to measure its cost): off stores Temporal payloads in clear text
  /** on (default) | off: off is for benchmarks and local experiments only, refused with NODE_ENV=production. */
  PAYLOAD_ENCRYPTION: z.enum(['on', 'off']).default('on'),
}).superRefine((config, ctx) => {
  // A JWKS alone would accept any provider's tokens for any audience: issuer and audience pin them to ours.
  if (config.AUTH_JWKS_URL !== undefined) {
    for (const variable of ['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const) {
      if (config[variable] === undefined) ctx.addIssue({ code: 'custom', path: [variable], message: 'required when AUTH_JWKS_URL is set' });
    }
  }
  if (config.NODE_ENV === 'production' && config.PAYLOAD_ENCRYPTION === 'off') {
    ctx.addIssue({
      code: 'custom',
      path: ['PAYLOAD_ENCRYPTION'],
      message: 'NODE_ENV=production refuses PAYLOAD_ENCRYPTION=off: customer data would sit in Temporal history in clear text',
    });
  }
  // A client certificate is useless without its key, and the other way round.
  if (Boolean(config.TEMPORAL_TLS_CERT) !== Boolean(config.TEMPORAL_TLS_KEY)) {
    const missing = config.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
    const other = missing === 'TEMPORAL_TLS_KEY' ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY';
    ctx.addIssue({ code: 'custom', path: [missing], message: `required when ${other} is set (mTLS needs both)` });
  }
});

export type Config = z.infer<typeof configSchema>;

import { createHash, timingSafeEqual } from 'node:crypto';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Context } from 'koa';
import type { Config } from '../config';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../payments/webhook-signature';
import type { ErrorCode } from './error-codes';
import { HttpError } from './error-middleware';

type SecuritySchemeObject = Parameters<OpenAPIRegistry['registerComponent']>[2];

/** What an auth scheme may read when the routes are mounted (secrets, keys). */
export interface AuthDeps {
  config: Config;
}

/**
 * One way of proving who calls a route. `P` is the principal the route's handler receives (and ctx.state.principal).
 * A route names its scheme (`auth: 'admin'`); everything else comes from here.
 */
export interface AuthScheme<P> {
  /** Built once per mounted route: checks the request and returns its principal, or throws (an HttpError 401/403). */
  authenticate(deps: AuthDeps): (ctx: Context) => P | Promise<P>;
  /** components.securitySchemes this scheme relies on (none for public routes). */
  securitySchemes: Record<string, SecuritySchemeObject>;
  /** The operation's `security`: alternatives, any one of which admits the caller; `[]` for public routes. */
  security: Record<string, string[]>[];
  /** What the scheme answers with when it refuses a request; added to every route using it. */
  errors: readonly ErrorCode[];
}

const authScheme = <P>(scheme: AuthScheme<P>) => scheme;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The schemes routes can name. A new one is one entry here: its principal type follows from `authenticate`.
 */
export const AUTH_SCHEMES = {
  /** Anyone. */
  public: authScheme({
    authenticate: () => () => ({ kind: 'anonymous' as const }),
    securitySchemes: {},
    security: [],
    errors: [],
  }),

  /**
   * Operators: `Authorization: Bearer <ADMIN_TOKEN>`. Both sides are hashed before timingSafeEqual: it needs equal
   * lengths, and comparing digests means neither the time taken nor an early length check tells a caller how much
   * of the token, or how long a token, it got right.
   */
  admin: authScheme({
    authenticate: ({ config }) => {
      if (config.ADMIN_TOKEN.length === 0) throw new Error('the admin token must not be empty');
      const expected = sha256(config.ADMIN_TOKEN);
      return (ctx) => {
        const match = /^Bearer +(\S+) *$/i.exec(ctx.get('authorization'));
        if (!match || !timingSafeEqual(sha256(match[1]), expected)) {
          ctx.set('WWW-Authenticate', 'Bearer realm="admin"');
          throw new HttpError(401, 'unauthorized', 'a valid admin bearer token is required');
        }
        return { kind: 'admin' as const };
      };
    },
    // The Authorization header is described by the scheme rather than as a parameter: OpenAPI ignores header
    // parameters named Authorization, and tools (Swagger UI's "Authorize" button) read security schemes.
    securitySchemes: {
      adminToken: {
        type: 'http',
        scheme: 'bearer',
        description: '`Authorization: Bearer <ADMIN_TOKEN>` (config ADMIN_TOKEN; `dev-admin-token` locally)',
      },
    },
    security: [{ adminToken: [] }],
    errors: ['unauthorized'],
  }),

  /** The payment provider: an HMAC-SHA256 of the raw body in the Payment-Signature header, checked before parsing. */
  paymentSignature: authScheme({
    authenticate: ({ config }) => (ctx) => {
      const raw = ctx.request.rawBody ?? Buffer.alloc(0);
      const signature = ctx.get(WEBHOOK_SIGNATURE_HEADER) || undefined;
      if (!verifyWebhookSignature(config.PAYMENT_WEBHOOK_SECRET, signature, raw, Math.floor(Date.now() / 1000))) {
        throw new HttpError(401, 'invalid_signature', 'the Payment-Signature header is missing, wrong or stale');
      }
      return { kind: 'paymentProvider' as const };
    },
    securitySchemes: {
      paymentSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'Payment-Signature',
        description:
          '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with PAYMENT_WEBHOOK_SECRET; 5-minute tolerance',
      },
    },
    security: [{ paymentSignature: [] }],
    errors: ['invalid_signature'],
  }),
};

export type AuthName = keyof typeof AUTH_SCHEMES;
/** The principal a route with scheme `A` runs as. */
export type Principal<A extends AuthName> = Awaited<ReturnType<ReturnType<(typeof AUTH_SCHEMES)[A]['authenticate']>>>;

declare module 'koa' {
  interface DefaultState {
    /** Who is calling: set by the route's auth scheme before its handler runs. */
    principal?: Principal<AuthName>;
  }
}

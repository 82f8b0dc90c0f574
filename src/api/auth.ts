import { bearerToken } from '../auth/bearer';
import type { VerifyCustomerToken } from '../auth/customer-token';
import { createCustomerTokenVerifier } from '../auth/customer-token';
import { secretTokenMatcher } from '../auth/secret-token';
import type { Config } from '../config';
import type { AuthScheme, SecuritySchemeObject } from '../http/auth-scheme';
import { PUBLIC } from '../http/auth-scheme';
import { HttpError } from '../http/errors';
import { verifySimulatorDelivery } from '../webhooks/simulator-verify';
import { STRIPE_SIGNATURE_HEADER, verifyStripeDelivery } from '../webhooks/stripe-verify';
import {
  CARRIER_SIGNATURE_SECURITY_SCHEME,
  PAYMENT_SIGNATURE_SECURITY_SCHEME,
  WEBHOOK_SIGNATURE_HEADER,
} from '../wire/webhook-signature';
import { customerAuthenticator } from './customer-auth';
import type { ErrorCode } from './error-codes';

/** What an auth scheme may read when the routes are mounted (secrets, keys). */
export interface AuthDeps {
  config: Config;
}

/** A scheme of the API: it reads the configuration and refuses with the API's codes. */
const apiScheme = <P>(scheme: AuthScheme<P, AuthDeps, ErrorCode>) => scheme;

/**
 * One verifier per configuration, shared by every route that checks customer tokens: the identity provider's key
 * set is then fetched and cached once per process, not once per route.
 */
const verifiers = new WeakMap<Config, VerifyCustomerToken>();
function customerTokens(config: Config): VerifyCustomerToken {
  let verify = verifiers.get(config);
  if (!verify) verifiers.set(config, (verify = createCustomerTokenVerifier(config)));
  return verify;
}

const CUSTOMER_SECURITY = {
  customerToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      '`Authorization: Bearer <JWT>`: HS256 signed with AUTH_JWT_SECRET, or RS256/ES256 from the identity provider at ' +
      'AUTH_JWKS_URL (issuer AUTH_ISSUER, audience AUTH_AUDIENCE). `sub` is the customer id, `email` (optional) the ' +
      'customer\'s email; `exp` is required; 60 s of clock skew are allowed. Locally: `npm run token -- <customerId> [email]`.',
  },
} satisfies Record<string, SecuritySchemeObject>;

const ADMIN_SECURITY = {
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: '`Authorization: Bearer <ADMIN_TOKEN>` (config ADMIN_TOKEN; `dev-admin-token` locally)',
  },
} satisfies Record<string, SecuritySchemeObject>;

/**
 * The schemes routes can name. A new one is one entry here: its principal type follows from `authenticate`.
 */
export const AUTH_SCHEMES = {
  /** Anyone. */
  public: PUBLIC,

  /**
   * Operators: `Authorization: Bearer <ADMIN_TOKEN>`. Both sides are hashed before timingSafeEqual: it needs equal
   * lengths, and comparing digests means neither the time taken nor an early length check tells a caller how much
   * of the token, or how long a token, it got right.
   */
  admin: apiScheme({
    authenticate: ({ config }) => {
      const isAdminToken = secretTokenMatcher(config.ADMIN_TOKEN);
      return (ctx) => {
        const token = bearerToken(ctx.get('authorization'));
        if (token === undefined || !isAdminToken(token)) {
          ctx.set('WWW-Authenticate', 'Bearer realm="admin"');
          throw new HttpError(401, 'unauthorized', 'a valid admin bearer token is required');
        }
        return { kind: 'admin' as const };
      };
    },
    // The Authorization header is described by the scheme rather than as a parameter: OpenAPI ignores header
    // parameters named Authorization, and tools (Swagger UI's "Authorize" button) read security schemes.
    securitySchemes: ADMIN_SECURITY,
    security: [{ adminToken: [] }],
    errors: ['unauthorized'],
  }),

  /** Customers: `Authorization: Bearer <JWT>` (src/auth/customer-token.ts); the principal names the customer. */
  customer: apiScheme({
    authenticate: ({ config }) => customerAuthenticator({ verifyCustomer: customerTokens(config) }),
    securitySchemes: CUSTOMER_SECURITY,
    security: [{ customerToken: [] }],
    errors: ['unauthorized', 'service_unavailable'],
  }),

  /** A customer's token, or the admin token (support staff act on any customer's orders). */
  customerOrAdmin: apiScheme({
    authenticate: ({ config }) =>
      customerAuthenticator({ verifyCustomer: customerTokens(config), isAdminToken: secretTokenMatcher(config.ADMIN_TOKEN) }),
    securitySchemes: { ...CUSTOMER_SECURITY, ...ADMIN_SECURITY },
    security: [{ customerToken: [] }, { adminToken: [] }],
    errors: ['unauthorized', 'service_unavailable'],
  }),

  /** The payment provider: an HMAC-SHA256 of the raw body in the Payment-Signature header, checked before parsing. */
  paymentSignature: apiScheme({
    authenticate: ({ config }) => (ctx) => {
      const raw = ctx.request.rawBody ?? Buffer.alloc(0);
      const signature = ctx.get(WEBHOOK_SIGNATURE_HEADER) || undefined;
      if (!verifySimulatorDelivery(raw, signature, config.PAYMENT_WEBHOOK_SECRET)) {
        throw new HttpError(401, 'invalid_signature', 'the Payment-Signature header is missing, wrong or stale');
      }
      return { kind: 'paymentProvider' as const };
    },
    securitySchemes: { paymentSignature: PAYMENT_SIGNATURE_SECURITY_SCHEME },
    security: [{ paymentSignature: [] }],
    errors: ['invalid_signature'],
  }),

  /**
   * The carrier: the payment provider's scheme (an HMAC-SHA256 of the raw body in the Payment-Signature header,
   * checked before parsing) with a secret of its own, CARRIER_WEBHOOK_SECRET: a payment provider's signature does not
   * pass for the carrier's, nor the other way round.
   */
  carrierSignature: apiScheme({
    authenticate: ({ config }) => (ctx) => {
      const raw = ctx.request.rawBody ?? Buffer.alloc(0);
      const signature = ctx.get(WEBHOOK_SIGNATURE_HEADER) || undefined;
      if (!verifySimulatorDelivery(raw, signature, config.CARRIER_WEBHOOK_SECRET)) {
        throw new HttpError(401, 'invalid_signature', 'the Payment-Signature header is missing, wrong or stale');
      }
      return { kind: 'carrier' as const };
    },
    securitySchemes: { carrierSignature: CARRIER_SIGNATURE_SECURITY_SCHEME },
    security: [{ carrierSignature: [] }],
    errors: ['invalid_signature'],
  }),

  /**
   * Stripe: the Stripe-Signature header checked with Stripe's SDK on the raw body (STRIPE_WEBHOOK_SECRET, 300 s
   * tolerance). A refusal is 400, as Stripe documents. The principal carries the verified event.
   */
  stripeSignature: apiScheme({
    authenticate: ({ config }) => (ctx) => {
      const secret = config.STRIPE_WEBHOOK_SECRET;
      const event = secret === undefined ? undefined : verifyStripeDelivery(ctx.request.rawBody ?? Buffer.alloc(0), ctx.get(STRIPE_SIGNATURE_HEADER) || undefined, secret);
      if (!event) throw new HttpError(400, 'invalid_stripe_signature', 'the Stripe-Signature header is missing, wrong or stale');
      return { kind: 'stripe' as const, event };
    },
    securitySchemes: {
      stripeSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'Stripe-Signature',
        description: "`t=<unix seconds>,v1=<hex HMAC-SHA256>` as Stripe signs deliveries, with the endpoint's signing secret (STRIPE_WEBHOOK_SECRET); 5-minute tolerance",
      },
    },
    security: [{ stripeSignature: [] }],
    errors: ['invalid_stripe_signature'],
  }),
};

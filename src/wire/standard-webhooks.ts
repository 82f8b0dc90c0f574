import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com/), as the service signs its outbound order events and the
 * simulator's subscriber checks them:
 *
 *   webhook-id: <message id, the same on every retry>
 *   webhook-timestamp: <unix seconds of this attempt>
 *   webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>"> [v1,<…> with a second secret]
 *
 * Secrets are `whsec_<base64 of the key bytes>`; the HMAC key is the decoded bytes. During a rotation the header
 * carries one signature per secret, space-separated, and a receiver accepts any one that matches.
 */
export const STANDARD_WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;
export const SECRET_PREFIX = 'whsec_';
export const STANDARD_WEBHOOK_TOLERANCE_SECONDS = 300;

/** The scheme as the API's OpenAPI document describes the signature of what it sends. */
export const STANDARD_WEBHOOKS_SECURITY_SCHEME = {
  type: 'apiKey',
  in: 'header',
  name: 'webhook-signature',
  description:
    '`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">` keyed with the base64-decoded part of the ' +
    "endpoint's `whsec_` secret; several space-separated during a secret rotation (Standard Webhooks)",
} as const;

/** A new endpoint secret: 24 random bytes, as Svix makes them. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
}

/** The three headers of one delivery attempt of `body`, signed with every secret given (the newest first). */
export function standardWebhookHeaders(secrets: readonly string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    [STANDARD_WEBHOOK_HEADERS.id]: id,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(timestampSeconds),
    [STANDARD_WEBHOOK_HEADERS.signature]: secrets.map((secret) => `v1,${signature(secret, id, timestampSeconds, body)}`).join(' '),
  };
}

/**
 * Whether `headers` sign `body` with `secret` and a timestamp within the tolerance of `nowSeconds`. Returns what is
 * wrong, or undefined when the delivery is genuine.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | undefined {
  const one = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = one(STANDARD_WEBHOOK_HEADERS.id);
  const timestamp = one(STANDARD_WEBHOOK_HEADERS.timestamp);
  const signatures = one(STANDARD_WEBHOOK_HEADERS.signature);
  if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature';
  if (!/^\d{1,12}$/.test(timestamp)) return 'webhook-timestamp is not unix seconds';
  if (Math.abs(nowSeconds - Number(timestamp)) > STANDARD_WEBHOOK_TOLERANCE_SECONDS) return 'webhook-timestamp is outside the tolerance';
  const expected = Buffer.from(signature(secret, id, Number(timestamp), body), 'base64');
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? undefined : 'no signature matches';
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, as the payment provider sends them and the API checks them:
 *
 *   Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 *
 * The timestamp is inside the signed text so an attacker cannot replay an old body with a fresh `t`; the receiver
 * rejects timestamps outside a tolerance window. Several `v1=` entries are allowed so a provider can sign with an
 * old and a new secret while the secret is rotated.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'payment-signature';
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** The scheme as OpenAPI documents describe it: the API's receiving route, and the simulator's webhook. */
export const PAYMENT_SIGNATURE_SECURITY_SCHEME = {
  type: 'apiKey',
  in: 'header',
  name: 'Payment-Signature',
  description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with PAYMENT_WEBHOOK_SECRET; 5-minute tolerance',
} as const;

/** The carrier signs its webhooks with the same scheme and header, with a secret of its own (CARRIER_WEBHOOK_SECRET). */
export const CARRIER_SIGNATURE_SECURITY_SCHEME = {
  ...PAYMENT_SIGNATURE_SECURITY_SCHEME,
  description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with CARRIER_WEBHOOK_SECRET; 5-minute tolerance',
} as const;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,12}$/;

function hmacHex(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return createHmac('sha256', secret).update(`${timestampSeconds}.`, 'utf8').update(body).digest('hex');
}

/** The header value for `rawBody` signed at `timestampSeconds`. */
export function signWebhookPayload(secret: string, rawBody: string | Buffer, timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`timestampSeconds must be a non-negative integer, got ${timestampSeconds}`);
  }
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, rawBody)}`;
}

interface ParsedSignatureHeader {
  timestampSeconds: number;
  signatures: Buffer[];
}

/** Splits `t=…,v1=…[,v1=…]`; unknown schemes (v0, v2…) are ignored. Undefined when it is not usable. */
function parseSignatureHeader(header: string): ParsedSignatureHeader | undefined {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      // Two different timestamps would make it ambiguous which one was signed.
      if (!UNIX_SECONDS.test(value) || (timestamp !== undefined && timestamp !== Number(value))) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1' && HEX_SHA256.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestampSeconds: timestamp, signatures };
}

/**
 * True when `header` carries a v1 signature of `rawBody` made with `secret`, and its timestamp is within
 * `toleranceSeconds` of `nowSeconds` (either direction: a timestamp from the future is as suspect as an old one).
 * Never throws: a missing or malformed header is simply not valid.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  rawBody: Buffer | string,
  nowSeconds: number,
  toleranceSeconds: number = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  const parsed = parseSignatureHeader(header);
  if (!parsed) return false;
  if (Math.abs(nowSeconds - parsed.timestampSeconds) > toleranceSeconds) return false;

  const expected = Buffer.from(hmacHex(secret, parsed.timestampSeconds, rawBody), 'hex');
  // Compare against every candidate without stopping early, so timing does not reveal which one matched.
  let matched = false;
  for (const candidate of parsed.signatures) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}

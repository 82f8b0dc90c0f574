import type { WindowState } from './admission';

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` names each quota
 * (q orders per w seconds), `RateLimit` says what is left of it (r) and in how many seconds it resets (t).
 * One policy per limit key: "customer" and "email".
 */
export function rateLimitHeaders(windows: readonly WindowState[]): Record<string, string> {
  return {
    'RateLimit-Policy': windows.map((w) => `"${w.policy}";q=${w.limit};w=${w.windowSeconds}`).join(', '),
    RateLimit: windows.map((w) => `"${w.policy}";r=${w.remaining};t=${w.resetSeconds}`).join(', '),
  };
}

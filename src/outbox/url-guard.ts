import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { InvalidWebhookUrlError } from './errors';

/** Where a subscriber's URL may point. `production`: https only, and (unless `allowPrivate`) only public addresses. */
export interface UrlPolicy {
  production: boolean;
  allowPrivate: boolean;
  /** Resolves a host name to its addresses (dns.lookup by default; tests pin answers). */
  resolve?: (host: string) => Promise<string[]>;
}

/** Addresses a webhook must never reach in production: the host itself, its link, the private networks (SSRF). */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

/** True for a loopback, link-local, private, shared, multicast or unspecified address (IPv4-mapped IPv6 included). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isInternalAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return true; // not an address: refuse rather than guess
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const defaultResolve = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Checks a subscriber's URL; throws InvalidWebhookUrlError (422) saying why it is refused. Outside production any
 * http(s) URL is taken (the demo's receiver is on loopback). In production the host is resolved and every address
 * it resolves to must be public; the relay checks again before each delivery, so a name re-pointed inside the
 * network later (DNS rebinding) is refused then.
 */
export async function checkWebhookUrl(text: string, policy: UrlPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidWebhookUrlError('url is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidWebhookUrlError('url must be http or https');
  if (url.username || url.password) throw new InvalidWebhookUrlError('url must not carry credentials');
  if (!policy.production) return url;
  if (url.protocol !== 'https:') throw new InvalidWebhookUrlError('url must be https in production');
  if (policy.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (policy.resolve ?? defaultResolve)(host);
  } catch {
    throw new InvalidWebhookUrlError(`url's host ${host} does not resolve`);
  }
  if (addresses.length === 0 || addresses.some(isInternalAddress)) {
    throw new InvalidWebhookUrlError(`url's host ${host} resolves to a loopback, link-local or private address (set WEBHOOK_ALLOW_PRIVATE=true to allow it)`);
  }
  return url;
}

import { createKeepAliveClient } from '../keep-alive-client';

/** POSTs a delivery and resolves with the receiver's status code; rejects on no answer (`TimeoutError` after the timeout). */
export type WebhookPost = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<number>;

export interface WebhookPoster {
  post: WebhookPost;
  /** Closes the kept-alive connections. */
  close(): void;
}

/**
 * The relay's HTTP client: the service's keep-alive client (src/keep-alive-client.ts), whose CPU per request
 * the relay pays for every event. The timeout covers the whole exchange, the answer's body included: a receiver
 * cannot hold a connection past it. The body is drained (not kept) so the connection serves the next delivery; a
 * kept connection the receiver closed under a delivery sends it again on a new one, and is not an attempt.
 */
export function createWebhookPoster(maxSockets: number): WebhookPoster {
  const client = createKeepAliveClient(maxSockets);
  return {
    post: async (url, headers, body, timeoutMs) => (await client.send(new URL(url), { method: 'POST', headers, body, timeoutMs, readBody: false })).status,
    close: () => client.close(),
  };
}

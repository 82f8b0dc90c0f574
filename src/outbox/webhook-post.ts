import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** POSTs a delivery and resolves with the receiver's status code; rejects on no answer (`TimeoutError` after the timeout). */
export type WebhookPost = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<number>;

export interface WebhookPoster {
  post: WebhookPost;
  /** Closes the kept-alive connections. */
  close(): void;
}

/**
 * The relay's HTTP client: node:http(s) over keep-alive connections, about a third of the CPU per delivery that
 * fetch() (undici) spent, which the relay pays for every event. Redirects are never followed (a redirect is not a
 * delivery, and following one could lead inside the network). The timeout covers the whole exchange, the answer's
 * body included: a receiver cannot hold a connection past it. The body is drained (not kept) so the connection
 * serves the next delivery.
 */
export function createWebhookPoster(maxSockets: number): WebhookPoster {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets }),
  };
  const post: WebhookPost = (url, headers, body, timeoutMs) =>
    new Promise<number>((resolve, reject) => {
      const target = new URL(url);
      const agent = agents[target.protocol as keyof typeof agents];
      if (!agent) {
        reject(new Error(`unsupported protocol ${target.protocol}`));
        return;
      }
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(target, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } });
      const timer = setTimeout(() => {
        const err = new Error(`no answer within ${timeoutMs} ms`);
        err.name = 'TimeoutError';
        req.destroy(err);
      }, timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err); // no effect once the status was resolved
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        res.on('close', () => clearTimeout(timer)); // after its end, or its loss
        res.resume();
      });
      req.end(body);
    });
  return {
    post,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

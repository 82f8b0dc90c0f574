import type { ClientRequest } from 'node:http';
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
 * How long an idle kept-alive connection is kept at most. Node's agent keeps one until the receiver closes it unless
 * it has a timeout of its own; with one, it also heeds the receiver's `Keep-Alive: timeout=` hint (and lets go a
 * second before it). Below the 5 s of a Node receiver's default, well below nginx's 75 s.
 */
const IDLE_SOCKET_MS = 4_000;

/** What a kept-alive connection the receiver had closed while it sat idle gives a request sent on it. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * The relay's HTTP client: node:http(s) over keep-alive connections, about a third of the CPU per delivery that
 * fetch() (undici) spent, which the relay pays for every event. Redirects are never followed (a redirect is not a
 * delivery, and following one could lead inside the network). The timeout covers the whole exchange, the answer's
 * body included: a receiver cannot hold a connection past it. The body is drained (not kept) so the connection
 * serves the next delivery.
 *
 * A receiver may close an idle connection just as it is taken for the next delivery (its close not yet seen here,
 * e.g. while the event loop was busy): the request then fails without an answer, though the receiver never read it.
 * That is not the receiver failing, so the delivery goes out again at once, within the same timeout; only a failure
 * on a reused connection before any answer counts as stale, and each such connection is gone after it.
 */
export function createWebhookPoster(maxSockets: number): WebhookPoster {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS }),
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
      const options = { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } };
      let current: ClientRequest | undefined;
      const timer = setTimeout(() => {
        const err = new Error(`no answer within ${timeoutMs} ms`);
        err.name = 'TimeoutError';
        current?.destroy(err);
      }, timeoutMs);
      const attempt = () => {
        const req = send(target, options);
        current = req;
        let answered = false;
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (answered) return; // the status was resolved; a later loss changes nothing
          // Our own TimeoutError has no code: a delivery past its timeout is never sent again.
          if (req.reusedSocket && STALE_CONNECTION_CODES.has(err.code ?? '')) {
            attempt();
            return;
          }
          clearTimeout(timer);
          reject(err);
        });
        req.on('response', (res) => {
          answered = true;
          resolve(res.statusCode ?? 0);
          res.on('close', () => clearTimeout(timer)); // after its end, or its loss
          res.resume();
        });
        req.end(body);
      };
      attempt();
    });
  return {
    post,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

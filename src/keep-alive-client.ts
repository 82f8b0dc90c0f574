import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** One outbound exchange. */
export interface OutboundRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange, the answer's body included: past it the request is destroyed with a `TimeoutError`. */
  timeoutMs: number;
  /** Read the answer's body (`text`); otherwise it is drained unread and the promise settles with the status. */
  readBody: boolean;
  /** Gives the request up (its connection destroyed, the promise rejected) when aborted: the sender is shutting down. */
  signal?: AbortSignal;
}

export interface OutboundAnswer {
  status: number;
  /** The answer's body, when it was read; '' otherwise. */
  text: string;
}

export interface KeepAliveClient {
  send(url: URL, request: OutboundRequest): Promise<OutboundAnswer>;
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
 * The service's outbound HTTP client (the webhook relay, the payment provider, the notifier, the carrier):
 * node:http(s) over keep-alive connections. fetch() (undici) spent about three times the CPU per request, through
 * its web streams and request cloning, and every order makes several such requests. Redirects are never followed:
 * none of these services answers with one, and following one could lead inside the network.
 *
 * A receiver may close an idle connection just as it is taken for the next request (its close not yet seen here,
 * e.g. while the event loop was busy): the request then fails without an answer, though the receiver never read it.
 * That is not the receiver failing, so the request goes out again at once, within the same timeout; only a failure
 * on a reused connection before any answer counts as stale, and each such connection is gone after it. Every caller
 * sends requests that are safe to repeat (idempotency keys, signed deliveries the receiver deduplicates).
 */
export function createKeepAliveClient(maxSockets: number): KeepAliveClient {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS }),
  };
  const send = (url: URL, request: OutboundRequest) =>
    new Promise<OutboundAnswer>((resolve, reject) => {
      const agent = agents[url.protocol as keyof typeof agents];
      if (!agent) {
        reject(new Error(`unsupported protocol ${url.protocol}`));
        return;
      }
      const open = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const headers = request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
      const options = { method: request.method, agent, headers };
      let current: ClientRequest | undefined;
      let settled = false;
      const { signal } = request;
      const abort = () => {
        const err = new Error('the request was aborted');
        err.name = 'AbortError';
        current?.destroy(err);
        fail(err);
      };
      // Past settling, nothing of this request listens any more (the answer's drain ends on the timer below).
      const settle = () => {
        settled = true;
        signal?.removeEventListener('abort', abort);
      };
      const fail = (err: Error) => {
        if (settled) return;
        settle();
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(() => {
        const err = new Error(`no answer within ${request.timeoutMs} ms`);
        err.name = 'TimeoutError';
        current?.destroy(err);
        fail(err);
      }, request.timeoutMs);
      if (signal?.aborted) {
        abort();
        return;
      }
      signal?.addEventListener('abort', abort, { once: true });
      const answer = (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (!request.readBody) {
          settle();
          resolve({ status, text: '' });
          res.on('close', () => clearTimeout(timer)); // after its end, or its loss
          res.resume();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          settle();
          clearTimeout(timer);
          resolve({ status, text: Buffer.concat(chunks).toString('utf8') });
        });
        // The connection lost before the body ended: no whole answer.
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('the connection closed before the answer ended'), { code: 'ECONNRESET' }));
        });
      };
      const attempt = () => {
        const req = open(url, options);
        current = req;
        let answered = false;
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (answered) return; // the answer's own handlers settle it
          // Our own TimeoutError has no code: a request past its timeout is never sent again.
          if (req.reusedSocket && STALE_CONNECTION_CODES.has(err.code ?? '')) {
            attempt();
            return;
          }
          fail(err);
        });
        req.on('response', (res) => {
          answered = true;
          answer(res);
        });
        req.end(request.body);
      };
      attempt();
    });
  return {
    send,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

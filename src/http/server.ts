import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type Koa from 'koa';

/**
 * How long a client may take, so that slow or idle clients cannot hold sockets (and memory) for long: all headers
 * within 10 s (a "slowloris" sending one byte at a time is cut off), the whole request within 30 s (bodies are at
 * most REQUEST_BODY_LIMIT_BYTES), an idle keep-alive connection is closed after 5 s. Answers may take longer (a
 * cancel waits for its compensation): these bound what the client sends, not what the server does.
 */
export const SERVER_TIMEOUTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };
export type ServerTimeouts = typeof SERVER_TIMEOUTS;

/**
 * Listens, and returns a close() that stops accepting, lets in-flight requests finish, then closes idle
 * keep-alive sockets so shutdown is not held up by clients that stay connected.
 */
export async function listen(
  app: Koa,
  port: number,
  host = '0.0.0.0',
  timeouts: ServerTimeouts = SERVER_TIMEOUTS,
): Promise<{ server: Server; port: number; address: string; close: () => Promise<void> }> {
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s by default, which would triple them).
      connectionsCheckingInterval: Math.min(1000, timeouts.headersTimeoutMs),
    },
    app.callback(),
  );
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const actualHost = typeof address === 'object' && address ? address.address : host;
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeIdleConnections();
    });
  return { server, port: actualPort, address: actualHost, close };
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * The start-up line's words for what was bound: the real address, and for a wildcard the URL that reaches it from
 * this machine, e.g. `http://0.0.0.0:3000 (every interface; http://127.0.0.1:3000 from this machine)`.
 */
export function describeBinding(address: string, port: number): string {
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return WILDCARDS.has(address) ? `${url} (every interface; http://127.0.0.1:${port} from this machine)` : url;
}

/** Runs `stop` once on the first SIGINT/SIGTERM, then exits 0 (1 if stopping failed). */
export function onShutdownSignal(stop: () => Promise<void>, log: (msg: string) => void): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, shutting down`);
    stop().then(
      () => process.exit(0),
      (err) => {
        log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

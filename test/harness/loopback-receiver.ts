import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the receiver does with one request, its body read whole. */
export type ReceiverHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * An HTTP receiver on a loopback port for the outbound clients' tests: each test sets how it answers, and the
 * connections it accepted show whether requests shared a kept-alive one.
 */
export function loopbackReceiver() {
  let handler: ReceiverHandler = (_req, res) => res.writeHead(204).end();
  const connections = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => connections.add(socket));
  return {
    connections,
    answer(next: ReceiverHandler) {
      handler = next;
    },
    /**
     * What a receiver closing an idle kept-alive connection just as it is reused looks like to a client: the second
     * request on each connection is read and its connection ended with no answer; every other one gets `respond`.
     * Answers the count of requests per connection, in the order the connections came.
     */
    dropSecondRequestPerConnection(respond: (res: ServerResponse) => void): Map<unknown, number> {
      const served = new Map<unknown, number>();
      handler = (req, res) => {
        const count = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, count);
        if (count === 2) req.socket.destroy();
        else respond(res);
      };
      return served;
    },
    /** Listens, and answers its base URL (`http://127.0.0.1:port`). */
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async stop(): Promise<void> {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

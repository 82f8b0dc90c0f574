import { connect } from 'node:net';
import Koa from 'koa';
import { listen } from '../../src/http/server';

/** Opens a raw connection, sends `data`, and resolves with what the server sent and how long until it closed. */
function rawExchange(port: number, data: string): Promise<{ received: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ received, closedAfterMs: Date.now() - started }));
    setTimeout(() => socket.destroy(new Error('the server kept the socket open')), 10_000).unref();
  });
}

describe('HTTP server timeouts', () => {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = { ok: true };
  });

  it('cuts off a client that sends its headers too slowly (408) and closes idle keep-alive connections', async () => {
    const http = await listen(app, 0, '127.0.0.1', { headersTimeoutMs: 600, requestTimeoutMs: 1200, keepAliveTimeoutMs: 400 });
    try {
      const slow = await rawExchange(http.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      expect(slow.received).toMatch(/^HTTP\/1\.1 408/);
      expect(slow.closedAfterMs).toBeLessThan(3000);

      const idle = await rawExchange(http.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(idle.received).toMatch(/^HTTP\/1\.1 200/);
      expect(idle.closedAfterMs).toBeLessThan(3000);
    } finally {
      await http.close();
    }
  });
});

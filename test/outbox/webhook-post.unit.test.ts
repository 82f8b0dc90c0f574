import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPoster } from '../../src/outbox/webhook-post';
import { createWebhookPoster } from '../../src/outbox/webhook-post';
import { loopbackReceiver } from '../harness/loopback-receiver';

/** The relay's HTTP client against a receiver on loopback. */
describe('webhook POST client', () => {
  const receiver = loopbackReceiver();
  const { connections, answer } = receiver;
  let url: string;
  let poster: WebhookPoster;

  beforeAll(async () => {
    url = `${await receiver.start()}/hook`;
  });
  beforeEach(() => {
    poster = createWebhookPoster(4);
  });
  afterEach(() => poster.close());
  afterAll(() => receiver.stop());

  it('sends the body and headers as given and answers the status; deliveries share a kept-alive connection', async () => {
    const got: { body: string; signature: unknown; length: unknown }[] = [];
    answer((req, res, body) => {
      got.push({ body, signature: req.headers['webhook-signature'], length: req.headers['content-length'] });
      res.statusCode = 204;
      res.end();
    });
    connections.clear();
    const body = JSON.stringify({ type: 'order.paid', note: 'é' });
    for (let i = 0; i < 3; i++) expect(await poster.post(url, { 'content-type': 'application/json', 'webhook-signature': 'v1,abc' }, body, 5000)).toBe(204);
    expect(got).toEqual(Array.from({ length: 3 }, () => ({ body, signature: 'v1,abc', length: String(Buffer.byteLength(body)) })));
    expect(connections.size).toBe(1);
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    let hits = 0;
    answer((_req, res) => {
      hits++;
      res.writeHead(302, { location: '/elsewhere' }).end('moved');
    });
    expect(await poster.post(url, {}, '{}', 5000)).toBe(302);
    expect(hits).toBe(1);
  });

  it('gives up with a TimeoutError when no answer comes within the timeout', async () => {
    answer(() => undefined); // never answers
    await expect(poster.post(url, {}, '{}', 200)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('a kept-alive connection the receiver dropped unanswered: the delivery goes out again on a new one', async () => {
    const served = receiver.dropSecondRequestPerConnection((res) => res.writeHead(200).end());
    connections.clear();
    expect(await poster.post(url, {}, '{}', 5000)).toBe(200);
    expect(await poster.post(url, {}, '{}', 5000)).toBe(200);
    expect(connections.size).toBe(2);
    expect([...served.values()]).toEqual([2, 1]);
  });

  it('a new connection dropped unanswered is a failed attempt, not sent again', async () => {
    let hits = 0;
    answer((req) => {
      hits++;
      req.socket.destroy();
    });
    await expect(poster.post(url, {}, '{}', 5000)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(hits).toBe(1);
  });

  it('rejects when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(poster.post(`http://127.0.0.1:${port}/hook`, {}, '{}', 5000)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

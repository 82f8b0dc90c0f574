import { createKeepAliveClient } from '../src/keep-alive-client';
import { loopbackReceiver } from './harness/loopback-receiver';

/** The shared outbound client's abort: what a sender shutting down (the simulator's webhooks) relies on. */
describe('keep-alive client: aborting a request', () => {
  const receiver = loopbackReceiver();
  const { connections, answer } = receiver;
  const client = createKeepAliveClient(Infinity);
  let url: URL;

  beforeAll(async () => {
    url = new URL(`${await receiver.start()}/hook`);
  });
  beforeEach(() => connections.clear());
  afterAll(async () => {
    client.close();
    await receiver.stop();
  });

  const post = (signal: AbortSignal) =>
    client.send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 60_000, readBody: false, signal });

  it('gives up a request in flight when aborted, before its timeout, and closes its connection', async () => {
    let arrived!: () => void;
    const received = new Promise<void>((resolve) => (arrived = resolve));
    answer(() => arrived()); // read, never answered
    const controller = new AbortController();
    const sending = post(controller.signal);
    await received;
    controller.abort();
    // AbortError, not the TimeoutError the 60-s timeout would give (jest's own 5-s limit would fail the test first).
    await expect(sending).rejects.toMatchObject({ name: 'AbortError' });
    const [socket] = connections;
    await new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve)));
    expect(socket.destroyed).toBe(true);
  });

  it('sends nothing when the signal is already aborted', async () => {
    answer((_req, res) => res.writeHead(204).end());
    await expect(post(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(connections.size).toBe(0);
  });

  it('a request answered before any abort settles with its status; a later abort changes nothing', async () => {
    answer((_req, res) => res.writeHead(202).end());
    const controller = new AbortController();
    await expect(post(controller.signal)).resolves.toEqual({ status: 202, text: '' });
    controller.abort();
    // The kept connection is still usable: the next request goes out on it.
    await expect(post(new AbortController().signal)).resolves.toEqual({ status: 202, text: '' });
    expect(connections.size).toBe(1);
  });
});

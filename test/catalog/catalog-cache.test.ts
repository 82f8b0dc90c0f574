import { createApp } from '../../src/api/app';
import type { CatalogCache } from '../../src/catalog/catalog-cache';
import { startCatalogCache } from '../../src/catalog/catalog-cache';
import { testLogger } from '../harness/env';
import type { RunningServer } from '../harness/http';
import { request, serve } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

/** Polls `read` until `done` holds (no fixed sleep); answers the last value and how long it took. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  for (;;) {
    const value = await read();
    const ms = performance.now() - started;
    if (done(value) || ms > timeoutMs) return { value, ms };
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// Issue #24, cached availability: two API instances (API_INSTANCES=2), each with its own cache and listener, on one
// database. A change made through the first is seen through the second once PostgreSQL delivers its notification.
describe('the catalog cache across two API instances', () => {
  const stack = useStack({ CANCEL_WINDOW: '60s' });
  let second: { server: RunningServer; catalog: CatalogCache };

  beforeAll(async () => {
    const catalog = startCatalogCache(stack.config.DATABASE_URL, testLogger());
    await catalog.listener.ready;
    const app = createApp({ config: stack.config, orm: stack.orm, temporal: stack.temporal, logger: testLogger(), productCache: catalog.cache });
    second = { server: await serve(app), catalog };
  });
  afterAll(async () => {
    await second?.server.close();
    await second?.catalog.close();
  });

  const viaSecond = async (id: string) => (await request(`${second.server.url}/products/${id}`)).body;

  it('an order placed through the first instance changes `available` read through the second, which had it cached', async () => {
    const product = await stack.createProduct({ stock: 10 });
    expect((await viaSecond(product.id)).available).toBe(10);
    expect((await viaSecond(product.id)).available).toBe(10); // served from the second instance's cache now
    expect(second.catalog.cache.state).toBe('on');

    await acceptedOrder(stack, { product: product.id, quantity: 3 }); // the 201 came from the first instance
    const { value, ms } = await pollUntil(() => viaSecond(product.id), (p) => p.available === 7);
    console.log(`the second instance answered the new availability ${ms.toFixed(1)} ms after the first one's 201`);
    expect(value.available).toBe(7);
  });

  it('the page of GET /products follows an admin change made through the other instance', async () => {
    const product = await stack.createProduct({ stock: 1 });
    const listed = async () => {
      for (let cursor: string | null = null, page = 0; page < 100; page++) {
        const res: any = await request(`${second.server.url}/products?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        const found = res.body.items.find((p: { id: string }) => p.id === product.id);
        if (found || !res.body.nextCursor) return found;
        cursor = res.body.nextCursor;
      }
      return undefined;
    };
    expect(await listed()).toMatchObject({ name: 'Test product' });
    await request(`${stack.api}/admin/products/${product.id}`, { method: 'PATCH', headers: stack.admin, body: { name: 'Renamed' } });
    const { value } = await pollUntil(listed, (p) => p?.name === 'Renamed');
    expect(value).toMatchObject({ name: 'Renamed' });
  });

  it('answers with an ETag and Cache-Control; If-None-Match with the current tag is 304, after a change 200 with a new tag', async () => {
    const product = await stack.createProduct({ stock: 5 });
    const first = await request(`${second.server.url}/products/${product.id}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');

    const again = await request(`${second.server.url}/products/${product.id}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body ?? '').toBe(''); // no body
    expect(again.headers.get('etag')).toBe(etag);

    // The first page lists the oldest products, which an earlier test's saga may still be moving: a 200 here means the
    // page changed in between, and then it must carry a new tag; asked again with that one, the page answers 304.
    const page = `${second.server.url}/products?limit=5`;
    let pageTag = (await request(page)).headers.get('etag')!;
    const { value: conditional } = await pollUntil(
      async () => {
        const res = await request(page, { headers: { 'if-none-match': pageTag } });
        if (res.status === 200) {
          expect(res.headers.get('etag')).not.toBe(pageTag);
          pageTag = res.headers.get('etag')!;
        }
        return res;
      },
      (res) => res.status === 304,
    );
    expect(conditional.status).toBe(304);

    await request(`${stack.api}/admin/products/${product.id}/stock-adjustments`, { method: 'POST', headers: stack.admin, body: { delta: 1, reason: 'found one' } });
    const { value } = await pollUntil(
      () => request(`${second.server.url}/products/${product.id}`, { headers: { 'if-none-match': etag } }),
      (res) => res.status === 200,
    );
    expect(value.body.onHand).toBe(6);
    expect(value.headers.get('etag')).not.toBe(etag);
  });

  it('a lost listener connection drops the cache until it listens again: answers are never stale', async () => {
    const product = await stack.createProduct({ stock: 4 });
    const { listener, cache } = second.catalog;
    // A read that races any product's notification (this product's own insert, or a saga from an earlier test moving
    // stock) is answered but not kept, so read until one is kept: the loss below must have something to drop.
    const { value: cached } = await pollUntil(async () => (await viaSecond(product.id), cache.size), (size) => size > 0);
    expect(cached).toBeGreaterThan(0);
    const pid = listener.backendPid!;
    const states: string[] = [];
    const watch = setInterval(() => states.push(cache.state), 1);
    try {
      await stack.orm.em.fork().execute('SELECT pg_terminate_backend(?)', [pid]);
      // Reconnected on a new connection (with backoff): the cache started again, empty.
      await pollUntil(async () => listener.backendPid, (now) => now !== undefined && now !== pid, 20_000);
    } finally {
      clearInterval(watch);
    }
    expect(states).toContain('bypass');
    expect(cache.state).toBe('on');
    // A change made now is heard again; and nothing cached from before the loss was served.
    await request(`${stack.api}/admin/products/${product.id}/stock-adjustments`, { method: 'POST', headers: stack.admin, body: { delta: 2, reason: 'delivery' } });
    const { value } = await pollUntil(() => viaSecond(product.id), (p) => p.onHand === 6);
    expect(value.onHand).toBe(6);
  });

  it('while bypassed, every read comes from the database', async () => {
    const product = await stack.createProduct({ stock: 2 });
    const { cache } = second.catalog;
    cache.bypass();
    try {
      await viaSecond(product.id);
      expect(cache.size).toBe(0);
      await stack.orm.em.fork().execute('UPDATE products SET on_hand = on_hand + 1 WHERE id = ?', [product.id]);
      expect((await viaSecond(product.id)).onHand).toBe(3);
    } finally {
      cache.start();
    }
  });
});

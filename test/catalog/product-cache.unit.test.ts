import { catalogAnswer, pageKey, ProductCache, productKey } from '../../src/catalog/product-cache';

// The cache's own rules, without PostgreSQL: what it serves, what a change drops, what it never keeps.
describe('ProductCache', () => {
  const started = () => {
    const cache = new ProductCache();
    cache.start();
    return cache;
  };

  it('serves a kept answer until the product changes; a change drops that product and every page', async () => {
    const cache = started();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect((await cache.answer(productKey('A'), load)).hit).toBe(false);
    expect(await cache.answer(productKey('a'), load)).toMatchObject({ hit: true, answer: catalogAnswer({ n: 1 }) });
    await cache.answer(productKey('b'), load);
    await cache.answer(pageKey({ limit: 20 }), load);
    cache.productChanged('a');
    expect(cache.size).toBe(1); // b stays; a and the page are gone
    expect((await cache.answer(productKey('b'), load)).hit).toBe(true);
    expect((await cache.answer(productKey('a'), load)).answer.json).toBe('{"n":4}');
  });

  it('never keeps an answer whose load overlapped a change: its rows may predate it', async () => {
    const cache = started();
    let release!: () => void;
    const slow = cache.answer(productKey('a'), () => new Promise((resolve) => (release = () => resolve({ stale: true }))));
    cache.productChanged('a');
    release();
    expect((await slow).answer.json).toBe('{"stale":true}');
    expect(cache.size).toBe(0);
  });

  it('bypassed (not listening): serves nothing from memory and keeps nothing; starting again begins empty', async () => {
    const cache = new ProductCache();
    expect(cache.state).toBe('bypass');
    let loads = 0;
    const load = async () => ++loads;
    await cache.answer(productKey('a'), load);
    await cache.answer(productKey('a'), load);
    expect(loads).toBe(2);
    cache.start();
    await cache.answer(productKey('a'), load);
    cache.bypass();
    expect(cache.size).toBe(0);
  });

  it('is bounded: the oldest entry goes first', async () => {
    const cache = new ProductCache(2);
    cache.start();
    for (const id of ['a', 'b', 'c']) await cache.answer(productKey(id), async () => id);
    expect(cache.size).toBe(2);
    expect((await cache.answer(productKey('a'), async () => 'again')).hit).toBe(false);
  });

  it('tags an answer by its exact JSON text', () => {
    expect(catalogAnswer({ a: 1 }).etag).toBe(catalogAnswer({ a: 1 }).etag);
    expect(catalogAnswer({ a: 1 }).etag).not.toBe(catalogAnswer({ a: 2 }).etag);
    expect(catalogAnswer({ a: 1 }).etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });
});

import { randomUUID } from 'node:crypto';
import { reserveStock } from '../../src/catalog/stock';
import type { Orm } from '../../src/db/orm';
import { inProcessApi } from '../harness/api';
import { testConfig, uniqueId } from '../harness/env';
import { ledgerTotal, newOrderId, stockSnapshot } from './fixtures';

const ADMIN_TOKEN = 'catalog-test-admin-token';
const INT_MAX = 2 ** 31 - 1;

describe('catalog HTTP API', () => {
  const config = testConfig({ ADMIN_TOKEN });
  let orm: Orm;
  let api: Awaited<ReturnType<typeof inProcessApi>>;

  beforeAll(async () => {
    api = await inProcessApi({ config });
    orm = api.orm;
  });
  afterAll(async () => {
    await api.close();
  });

  const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = asAdmin) =>
    api.request(path, { method, body, headers });
  const get = (path: string) => api.request(path);

  const validProduct = () => ({ sku: uniqueId('sku'), name: 'Espresso cup', priceCents: 1299, currency: 'EUR', stock: 7 });
  async function createViaApi(overrides: Record<string, unknown> = {}) {
    const res = await admin('POST', '/admin/products', { ...validProduct(), ...overrides });
    expect(res.status).toBe(201);
    return res.body;
  }

  /** The 400 contract: validation_failed, with a zod issue pointing at the offending field. */
  function expectValidationError(res: { status: number; body: any }, path: string) {
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'validation_failed', message: expect.any(String) });
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  }

  describe('admin authentication', () => {
    const cases: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['a wrong token', { authorization: 'Bearer wrong-token-of-some-length' }],
      ['a token that is a prefix of the real one', { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` }],
      ['another scheme', { authorization: `Basic ${ADMIN_TOKEN}` }],
      ['a bare token', { authorization: ADMIN_TOKEN }],
    ];
    const someId = randomUUID();
    const endpoints: [string, string, unknown][] = [
      ['POST', '/admin/products', validProduct()],
      ['PATCH', `/admin/products/${someId}`, { name: 'x' }],
      ['POST', `/admin/products/${someId}/stock-adjustments`, { delta: 1, reason: 'x' }],
    ];

    it.each(cases)('answers 401 unauthorized to %s, on every admin endpoint', async (_what, headers) => {
      for (const [method, path, body] of endpoints) {
        const res = await admin(method, path, body, headers);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ error: 'unauthorized' });
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
      }
    });

    it('checks the token before the body, so a stranger learns nothing about validation', async () => {
      const res = await admin('POST', '/admin/products', { nonsense: true }, {});
      expect(res.status).toBe(401);
    });

    it('accepts the scheme in any case', async () => {
      const res = await admin('POST', '/admin/products', validProduct(), { authorization: `bearer ${ADMIN_TOKEN}` });
      expect(res.status).toBe(201);
    });
  });

  describe('POST /admin/products', () => {
    it('creates the product (201) with an INITIAL ledger row', async () => {
      const input = validProduct();
      const res = await admin('POST', '/admin/products', input);

      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sku: input.sku,
        name: 'Espresso cup',
        priceCents: 1299,
        currency: 'EUR',
        onHand: 7,
        reserved: 0,
        available: 7,
        active: true,
        maxPerCustomer: null,
        requiresShipping: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(res.headers.get('location')).toBe(`/products/${res.body.id}`);
      const { movements } = await stockSnapshot(orm, [res.body.id]);
      expect(movements).toEqual([expect.objectContaining({ kind: 'INITIAL', delta: 7, order_id: null })]);
      expect((await get(`/products/${res.body.id}`)).body).toEqual(res.body);
    });

    it('accepts zero stock and a zero price', async () => {
      const body = await createViaApi({ stock: 0, priceCents: 0 });
      expect(body).toMatchObject({ onHand: 0, available: 0, priceCents: 0 });
    });

    it('creates a product that ships when asked (requiresShipping)', async () => {
      const res = await admin('POST', '/admin/products', { ...validProduct(), requiresShipping: true });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ requiresShipping: true });
      expect((await get(`/products/${res.body.id}`)).body).toMatchObject({ requiresShipping: true });
    });

    it('answers 409 sku_taken for a duplicate sku and keeps the first product', async () => {
      const first = await createViaApi();
      const res = await admin('POST', '/admin/products', { ...validProduct(), sku: first.sku, name: 'Impostor' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'sku_taken' });
      expect((await get(`/products/${first.id}`)).body.name).toBe('Espresso cup');
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['a missing sku', { sku: undefined }, 'body.sku'],
      ['an empty sku', { sku: '' }, 'body.sku'],
      ['a sku with spaces', { sku: 'has space' }, 'body.sku'],
      ['a sku over 64 characters', { sku: 'a'.repeat(65) }, 'body.sku'],
      ['a numeric sku', { sku: 123 }, 'body.sku'],
      ['a missing name', { name: undefined }, 'body.name'],
      ['a blank name', { name: '   ' }, 'body.name'],
      ['a name over 200 characters', { name: 'n'.repeat(201) }, 'body.name'],
      ['a fractional price', { priceCents: 12.5 }, 'body.priceCents'],
      ['a negative price', { priceCents: -1 }, 'body.priceCents'],
      ['a price above 2^31-1', { priceCents: INT_MAX + 1 }, 'body.priceCents'],
      ['a price given as a string', { priceCents: '1299' }, 'body.priceCents'],
      ['a lower-case currency', { currency: 'eur' }, 'body.currency'],
      ['a four-letter currency', { currency: 'EURO' }, 'body.currency'],
      ['a missing currency', { currency: undefined }, 'body.currency'],
      ['negative stock', { stock: -1 }, 'body.stock'],
      ['fractional stock', { stock: 1.5 }, 'body.stock'],
      ['stock above 2^31-1', { stock: INT_MAX + 1 }, 'body.stock'],
      ['an unknown field', { colour: 'red' }, 'body'],
      ['a non-boolean requiresShipping', { requiresShipping: 'yes' }, 'body.requiresShipping'],
    ])('answers 400 validation_failed for %s', async (_what, change, path) => {
      const res = await admin('POST', '/admin/products', { ...validProduct(), ...change });
      expectValidationError(res, path);
    });

    it('answers 400 for a missing body, an array body and malformed JSON', async () => {
      expectValidationError(await admin('POST', '/admin/products'), 'body');
      expectValidationError(await admin('POST', '/admin/products', [validProduct()]), 'body');
      const malformed = await api.request('/admin/products', {
        method: 'POST',
        headers: { ...asAdmin, 'content-type': 'application/json' },
        rawBody: '{"sku":',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ error: 'invalid_json' });
    });
  });

  describe('PATCH /admin/products/:id', () => {
    it('changes name, price and active (200)', async () => {
      const created = await createViaApi();
      const res = await admin('PATCH', `/admin/products/${created.id}`, { name: 'Tea cup', priceCents: 999, active: false });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, sku: created.sku, name: 'Tea cup', priceCents: 999, active: false, onHand: 7 });
      expect((await get(`/products/${created.id}`)).body).toEqual(res.body);
    });

    it('turns shipping on and off (requiresShipping), leaving the rest', async () => {
      const created = await createViaApi();
      const on = await admin('PATCH', `/admin/products/${created.id}`, { requiresShipping: true });
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ requiresShipping: true, name: created.name, priceCents: created.priceCents });
      const off = await admin('PATCH', `/admin/products/${created.id}`, { requiresShipping: false });
      expect(off.body).toMatchObject({ requiresShipping: false });
    });

    it('changes only the fields it is given', async () => {
      const created = await createViaApi();
      const res = await admin('PATCH', `/admin/products/${created.id}`, { priceCents: 1 });
      expect(res.body).toMatchObject({ name: created.name, priceCents: 1, active: true });
    });

    it('works on a product with active reservations (whose version moves under it)', async () => {
      const created = await createViaApi();
      await reserveStock(orm.em.fork(), newOrderId(), [{ productId: created.id, quantity: 2 }]);
      const res = await admin('PATCH', `/admin/products/${created.id}`, { name: 'Busy cup' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Busy cup', reserved: 2, available: 5 });
    });

    it('answers 404 not_found for an unknown id and for a malformed one', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const res = await admin('PATCH', `/admin/products/${id}`, { name: 'x' });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ error: 'not_found' });
      }
    });

    it.each<[string, unknown, string]>([
      ['no body', undefined, 'body'],
      ['an empty object', {}, 'body'],
      ['an unknown field', { sku: 'new-sku' }, 'body'],
      ['a blank name', { name: ' ' }, 'body.name'],
      ['a fractional price', { priceCents: 1.01 }, 'body.priceCents'],
      ['a negative price', { priceCents: -5 }, 'body.priceCents'],
      ['a null price', { priceCents: null }, 'body.priceCents'],
      ['a non-boolean active', { active: 'yes' }, 'body.active'],
      ['a null requiresShipping', { requiresShipping: null }, 'body.requiresShipping'],
    ])('answers 400 validation_failed for %s', async (_what, body, path) => {
      const created = await createViaApi();
      expectValidationError(await admin('PATCH', `/admin/products/${created.id}`, body), path);
    });
  });

  describe('POST /admin/products/:id/stock-adjustments', () => {
    it('adds and removes stock (200) with an ADJUSTMENT ledger row carrying the reason', async () => {
      const created = await createViaApi({ stock: 5 });
      const up = await admin('POST', `/admin/products/${created.id}/stock-adjustments`, { delta: 10, reason: 'delivery 42' });
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ onHand: 15, available: 15 });

      const down = await admin('POST', `/admin/products/${created.id}/stock-adjustments`, { delta: -3, reason: 'breakage' });
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ onHand: 12, available: 12 });

      const { movements } = await stockSnapshot(orm, [created.id]);
      expect(movements.map((m) => [m.kind, m.delta])).toEqual([
        ['INITIAL', 5],
        ['ADJUSTMENT', 10],
        ['ADJUSTMENT', -3],
      ]);
      expect(await ledgerTotal(orm, created.id)).toBe(12);
    });

    it('answers 409 insufficient_stock when on hand would drop below reserved, changing nothing', async () => {
      const created = await createViaApi({ stock: 5 });
      await reserveStock(orm.em.fork(), newOrderId(), [{ productId: created.id, quantity: 3 }]);
      const before = await stockSnapshot(orm, [created.id]);

      const res = await admin('POST', `/admin/products/${created.id}/stock-adjustments`, { delta: -3, reason: 'shrinkage' });

      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'insufficient_stock', details: [{ productId: created.id, requested: 3, available: 2 }] });
      expect(await stockSnapshot(orm, [created.id])).toEqual(before);
      const ok = await admin('POST', `/admin/products/${created.id}/stock-adjustments`, { delta: -2, reason: 'shrinkage' });
      expect(ok.body).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
    });

    it('answers 400 when on hand would exceed 2^31-1', async () => {
      const created = await createViaApi({ stock: INT_MAX });
      const res = await admin('POST', `/admin/products/${created.id}/stock-adjustments`, { delta: 1, reason: 'overflow' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation_failed' });
    });

    it('answers 404 not_found for an unknown id and for a malformed one', async () => {
      for (const id of [randomUUID(), 'nope']) {
        const res = await admin('POST', `/admin/products/${id}/stock-adjustments`, { delta: 1, reason: 'x' });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ error: 'not_found' });
      }
    });

    it.each<[string, unknown, string]>([
      ['a zero delta', { delta: 0, reason: 'noop' }, 'body.delta'],
      ['a fractional delta', { delta: 1.5, reason: 'x' }, 'body.delta'],
      ['a delta given as a string', { delta: '5', reason: 'x' }, 'body.delta'],
      ['a delta beyond 2^31-1', { delta: INT_MAX + 1, reason: 'x' }, 'body.delta'],
      ['a missing delta', { reason: 'x' }, 'body.delta'],
      ['a missing reason', { delta: 1 }, 'body.reason'],
      ['a blank reason', { delta: 1, reason: '  ' }, 'body.reason'],
      ['a reason over 500 characters', { delta: 1, reason: 'r'.repeat(501) }, 'body.reason'],
      ['an unknown field', { delta: 1, reason: 'x', orderId: 'y' }, 'body'],
      ['no body', undefined, 'body'],
    ])('answers 400 validation_failed for %s', async (_what, body, path) => {
      const created = await createViaApi();
      expectValidationError(await admin('POST', `/admin/products/${created.id}/stock-adjustments`, body), path);
    });
  });

  describe('GET /products/:id', () => {
    it('answers the product (200), with available = onHand - reserved', async () => {
      const created = await createViaApi({ stock: 4 });
      await reserveStock(orm.em.fork(), newOrderId(), [{ productId: created.id, quantity: 1 }]);
      const res = await get(`/products/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, onHand: 4, reserved: 1, available: 3 });
    });

    it('answers inactive products too, marked active: false', async () => {
      const created = await createViaApi();
      await admin('PATCH', `/admin/products/${created.id}`, { active: false });
      const res = await get(`/products/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, active: false });
    });

    it('answers 404 not_found for an unknown id and for a malformed one', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', '%27%20OR%201=1']) {
        const res = await get(`/products/${id}`);
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ error: 'not_found' });
      }
    });
  });

  describe('GET /products', () => {
    /** Follows nextCursor to the end; returns every item seen, in order. */
    async function readAllPages(limit: number) {
      const items: any[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=${limit}&cursor=${cursor}` : `?limit=${limit}`;
        const res = await get(`/products${query}`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(limit);
        items.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor);
      return items;
    }

    it('pages through every active product exactly once, in (createdAt, id) order, leaving inactive ones out', async () => {
      const mine = await Promise.all([1, 2, 3, 4, 5].map(() => createViaApi()));
      const retired = await createViaApi();
      await admin('PATCH', `/admin/products/${retired.id}`, { active: false });

      const items = await readAllPages(2);

      const ids = items.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of mine) expect(ids).toContain(p.id);
      expect(ids).not.toContain(retired.id);
      expect(items.every((p) => p.active === true)).toBe(true);
      const keys = items.map((p) => [Date.parse(p.createdAt), p.id] as const);
      const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      expect(keys).toEqual(sorted);
      expect(items.find((p) => p.id === mine[0].id)).toEqual(mine[0]);
    });

    it('answers 20 items by default, with a cursor to the next page', async () => {
      await Promise.all(Array.from({ length: 21 }, () => createViaApi()));
      const first = await get('/products');
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(20);
      expect(typeof first.body.nextCursor).toBe('string');
      const second = await get(`/products?cursor=${first.body.nextCursor}`);
      expect(second.status).toBe(200);
      expect(second.body.items[0].id).not.toBe(first.body.items[19].id);
    });

    it.each<[string, string, string]>([
      ['limit 0', '?limit=0', 'query.limit'],
      ['limit 101', '?limit=101', 'query.limit'],
      ['a negative limit', '?limit=-1', 'query.limit'],
      ['a fractional limit', '?limit=1.5', 'query.limit'],
      ['a non-numeric limit', '?limit=ten', 'query.limit'],
      ['a repeated limit', '?limit=1&limit=2', 'query.limit'],
      ['a cursor that is not base64url', '?cursor=%25%25%25', 'query.cursor'],
      ['a cursor that decodes to something else', `?cursor=${Buffer.from('["x","y"]').toString('base64url')}`, 'query.cursor'],
      ['an empty cursor', '?cursor=', 'query.cursor'],
      ['an unknown parameter', '?page=2', 'query'],
    ])('answers 400 validation_failed for %s', async (_what, query, path) => {
      expectValidationError(await get(`/products${query}`), path);
    });
  });
});

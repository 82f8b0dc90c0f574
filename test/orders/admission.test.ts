import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import type { AdmissionLimits } from '../../src/orders/admission';
import { admitOrder } from '../../src/orders/admission';
import { insertOrder } from '../../src/orders/order-store';
import { testOrm, uniqueId } from '../harness/env';

/**
 * The admission limits on the real database, through two ORMs (two connection pools, as two API instances have):
 * the counts are PostgreSQL's, so they hold whichever instance a request reaches.
 */
describe('order admission (rate limit and open-orders cap, shared in PostgreSQL)', () => {
  let a: Orm;
  let b: Orm;
  const limits: AdmissionLimits = { perMinute: 5, maxOpen: 5, maxUnpaidUnits: 10_000, paymentTimeoutMs: 15 * 60_000 };
  beforeAll(async () => {
    [a, b] = await Promise.all([testOrm(), testOrm()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  const admit = (orm: Orm, customerId: string, email: string, orderId = randomUUID(), custom = limits, units = 1) =>
    admitOrder(orm.em.fork(), { orderId, customerId, verifiedEmail: email, units }, custom);

  it('admits 5 distinct orders a minute per customer, across instances, racing; the rest are rate_limited', async () => {
    const customer = uniqueId('cust');
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => admit(i % 2 ? a : b, customer, `${uniqueId('m')}@example.com`)));
    expect(answers.filter((x) => x.admitted)).toHaveLength(5);
    const refused = answers.filter((x) => !x.admitted);
    expect(refused).toHaveLength(11);
    for (const r of refused) {
      expect(r).toMatchObject({ code: 'rate_limited' });
      if (!r.admitted) expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(55);
      expect(r.windows.find((w) => w.policy === 'customer')).toMatchObject({ limit: 5, windowSeconds: 60, remaining: 0 });
    }
  });

  it('counts per email too, whichever customers use it (case-insensitively)', async () => {
    const email = `${uniqueId('shared')}@example.com`;
    for (let i = 0; i < 5; i++) expect(await admit(a, uniqueId('cust'), i % 2 ? email : email.toUpperCase())).toMatchObject({ admitted: true });
    const sixth = await admit(b, uniqueId('cust'), email);
    expect(sixth).toMatchObject({ admitted: false, code: 'rate_limited' });
    expect(sixth.windows.find((w) => w.policy === 'email')).toMatchObject({ remaining: 0 });
    expect(sixth.windows.find((w) => w.policy === 'customer')).toMatchObject({ remaining: 5 });
  });

  it('an email no token verified is no limit key: other customers naming it never use up its window', async () => {
    const email = `${uniqueId('named')}@example.com`;
    for (let i = 0; i < 6; i++) {
      const answer = await admitOrder(a.em.fork(), { orderId: randomUUID(), customerId: uniqueId('cust'), units: 1 }, limits);
      expect(answer).toMatchObject({ admitted: true });
      expect(answer.windows.map((w) => w.policy)).toEqual(['customer']);
    }
    expect(await admit(b, uniqueId('cust'), email)).toMatchObject({ admitted: true });
  });

  it('an order refused before anything was reserved (REJECTED) counts against no limit', async () => {
    const customer = uniqueId('cust');
    const email = `${uniqueId('m')}@example.com`;
    const em = a.em.fork();
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      expect(await admit(a, customer, email, id)).toMatchObject({ admitted: true });
      await insertOrder(em, { orderId: id, workflowId: `order-${id}`, customerId: customer, customerEmail: email, items: [], requestFingerprint: 'f' });
      await em.getConnection().execute(`UPDATE orders SET status = 'REJECTED' WHERE id = ?`, [id]);
    }
    expect(await admit(b, customer, email)).toMatchObject({ admitted: true, windows: [{ policy: 'customer', remaining: 4 }, { policy: 'email', remaining: 4 }] });
  });

  it('counts copies of one order once, even concurrent ones, and lets them through when the limit is reached', async () => {
    const customer = uniqueId('cust');
    const email = `${uniqueId('m')}@example.com`;
    const orderId = randomUUID();
    const copies = await Promise.all(Array.from({ length: 12 }, (_, i) => admit(i % 2 ? a : b, customer, email, orderId)));
    expect(copies.every((x) => x.admitted)).toBe(true);
    expect(copies.filter((x) => x.admitted && !x.replay)).toHaveLength(1);
    for (let i = 0; i < 4; i++) expect(await admit(a, customer, email)).toMatchObject({ admitted: true, replay: false });
    expect(await admit(a, customer, email)).toMatchObject({ admitted: false, code: 'rate_limited' });
    // A retry of the first order still reaches its stored answer.
    expect(await admit(b, customer, email, orderId)).toMatchObject({ admitted: true, replay: true });
  });

  it('reports what is left of each window', async () => {
    const customer = uniqueId('cust');
    const email = `${uniqueId('m')}@example.com`;
    const first = await admit(a, customer, email);
    expect(first.windows).toEqual([
      { policy: 'customer', limit: 5, windowSeconds: 60, remaining: 4, resetSeconds: 60 },
      { policy: 'email', limit: 5, windowSeconds: 60, remaining: 4, resetSeconds: 60 },
    ]);
    const second = await admit(b, customer, email);
    expect(second.windows.map((w) => w.remaining)).toEqual([3, 3]);
  });

  it('refuses a new order while the customer has maxOpen orders awaiting payment: too_many_open_orders', async () => {
    const customer = uniqueId('cust');
    const roomy = { ...limits, perMinute: 100, maxOpen: 3 };
    const em = a.em.fork();
    // Three admitted orders: one already recorded by its saga (PENDING), two not yet recorded.
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) expect(await admit(a, customer, `${uniqueId('m')}@example.com`, id, roomy)).toMatchObject({ admitted: true });
    await insertOrder(em, { orderId: ids[0], workflowId: `order-${ids[0]}`, customerId: customer, customerEmail: 'x@example.com', items: [], requestFingerprint: 'f' });
    const refused = await admit(b, customer, `${uniqueId('m')}@example.com`, randomUUID(), roomy);
    expect(refused).toMatchObject({ admitted: false, code: 'too_many_open_orders' });
    if (!refused.admitted) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Once one is paid (no longer open), there is room again.
    await em.getConnection().execute(`UPDATE orders SET status = 'PAID' WHERE id = ?`, [ids[0]]);
    expect(await admit(b, customer, `${uniqueId('m')}@example.com`, randomUUID(), roomy)).toMatchObject({ admitted: true });
  });

  it('caps the units one customer holds in unpaid orders, racing across instances: unpaid_units_exceeded (issue #25 finding 12)', async () => {
    const customer = uniqueId('cust');
    const capped = { ...limits, perMinute: 100, maxOpen: 100, maxUnpaidUnits: 100 };
    const ids = Array.from({ length: 8 }, () => randomUUID());
    const answers = await Promise.all(ids.map((id, i) => admit(i % 2 ? a : b, customer, `${uniqueId('m')}@example.com`, id, capped, 30)));
    expect(answers.filter((x) => x.admitted)).toHaveLength(3);
    for (const r of answers.filter((x) => !x.admitted)) expect(r).toMatchObject({ code: 'unpaid_units_exceeded', retryAfterSeconds: expect.any(Number) });
    // 90 held: 10 more fit, 11 do not; a recorded order counts by its requested items.
    const admittedIds = ids.filter((_, i) => answers[i].admitted);
    const em = a.em.fork();
    await insertOrder(em, { orderId: admittedIds[0], workflowId: `order-${admittedIds[0]}`, customerId: customer, customerEmail: 'x@example.com', items: [{ productId: randomUUID(), quantity: 30 }], requestFingerprint: 'f' });
    expect(await admit(a, customer, 'x@example.com', randomUUID(), capped, 11)).toMatchObject({ admitted: false, code: 'unpaid_units_exceeded' });
    // Once that order is paid, its 30 units no longer count.
    await em.getConnection().execute(`UPDATE orders SET status = 'PAID' WHERE id = ?`, [admittedIds[0]]);
    expect(await admit(b, customer, 'x@example.com', randomUUID(), capped, 40)).toMatchObject({ admitted: true });
  });

  it('an order that already has a row is a replay, not a new order', async () => {
    const customer = uniqueId('cust');
    const id = randomUUID();
    await insertOrder(a.em.fork(), { orderId: id, workflowId: `order-${id}`, customerId: customer, customerEmail: 'x@example.com', items: [], requestFingerprint: 'f' });
    expect(await admit(b, customer, 'x@example.com', id, { ...limits, maxOpen: 1 })).toMatchObject({ admitted: true, replay: true });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { signWebhookPayload } from '../../src/wire/webhook-signature';
import { parseDuration } from '../../src/config';
import { WEBHOOK_REJECTIONS_KEPT } from '../../src/webhooks/rejections';
import { pruneWebhookTables } from '../../src/webhooks/retention';
import { request } from '../harness/http';
import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

/**
 * Issue #25, finding 2: deliveries with a bad signature used to have their raw body (up to 64 KiB) stored, without
 * limit: 200 of 60 KB grew the database by 13 MB. Now they keep time, route, size, digest and reason in a ring of
 * fixed size, a source past WEBHOOK_REJECTIONS_PER_MINUTE gets 429 and writes nothing, and the inbox has a retention.
 */
describe('webhooks with bad signatures', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '60s', CANCEL_WINDOW: '60s', SIM_WEBHOOK_DELAY_MS: '20' });
  const sql = <T>(text: string, params: unknown[] = []) => stack.orm.em.fork().getConnection().execute<T[]>(text, params);
  const sizes = async () => {
    const [row] = await sql<{ db: string; tables: string }>(
      `SELECT pg_database_size(current_database()) AS db,
              pg_total_relation_size('payment_webhook_events') + pg_total_relation_size('webhook_rejections') AS tables`,
    );
    return { db: Number(row.db), tables: Number(row.tables) };
  };

  /** A 60 KB JSON body (a real-looking event padded with random text), signed with a secret that is not ours. */
  const forged = (source?: string) => {
    const raw = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'payment.succeeded', pad: randomBytes(30 * 1024).toString('hex') });
    return request(`${stack.api}/webhooks/payments`, {
      method: 'POST',
      rawBody: raw,
      headers: {
        'content-type': 'application/json',
        'payment-signature': signWebhookPayload('whsec_not_our_secret_at_all', raw, Math.floor(Date.now() / 1000)),
        ...(source ? { 'x-forwarded-for': source } : {}),
      },
    });
  };

  it('200 of 60 KB grow the webhook tables by < 1 MB, one address is cut off with 429, and an order placed meanwhile is answered as usual', async () => {
    const product = await stack.createProduct({ stock: 5 });
    const before = await sizes();
    // Half from one address (over its allowance soon), half each from an address of its own (all recorded, in the ring).
    const senders = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? '203.0.113.7' : `198.51.100.${i % 250}`));
    const statuses: number[] = [];
    const storm = (async () => {
      for (let i = 0; i < senders.length; i += 10) {
        statuses.push(...(await Promise.all(senders.slice(i, i + 10).map((source) => forged(source)))).map((res) => res.status));
      }
    })();
    const placed = await placeOrder(stack, { product: product.id });
    await storm;

    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('AWAITING_PAYMENT');
    // The simulator's real (signed) webhook is answered, though it comes from an address that also sent forgeries.
    await stack.waitForOrder(placed.body.id, (o) => o.status === 'PAID');

    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBe(100 - stack.config.WEBHOOK_REJECTIONS_PER_MINUTE);
    const after = await sizes();
    expect(after.tables - before.tables).toBeLessThan(1024 * 1024);
    if (process.env.SHOW_SIZES) process.stdout.write(`webhook storm: database +${after.db - before.db} B, webhook tables +${after.tables - before.tables} B\n`);
    expect(Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM webhook_rejections`))[0].n)).toBeLessThanOrEqual(WEBHOOK_REJECTIONS_KEPT);
    expect(await sql(`SELECT id FROM payment_webhook_events WHERE NOT signature_valid`)).toEqual([]);
  });

  it('a 429 carries Retry-After and the error shape; the limit counts rejected deliveries only', async () => {
    const source = '192.0.2.99';
    let last;
    for (let i = 0; i <= stack.config.WEBHOOK_REJECTIONS_PER_MINUTE; i++) last = await forged(source);
    expect(last).toMatchObject({ status: 429, body: { error: 'webhook_rejections_limited', message: expect.any(String) } });
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('the retention deletes verified events older than WEBHOOK_EVENT_RETENTION (30 days), and any unverified one', async () => {
    const ids = { old: `evt_old_${randomUUID()}`, fresh: `evt_fresh_${randomUUID()}`, legacy: `evt_legacy_${randomUUID()}` };
    const insert = (id: string, valid: boolean, age: string) =>
      sql(
        `INSERT INTO payment_webhook_events (provider, event_id, event_type, raw_body, signature_valid, outcome, received_at)
         VALUES ('simulator', ?, 'payment.succeeded', '\\x7b7d'::bytea, ?, ?, now() - ?::interval)`,
        [id, valid, valid ? 'ignored' : 'invalid_signature', age],
      );
    await insert(ids.old, true, '31 days');
    await insert(ids.fresh, true, '29 days');
    await insert(ids.legacy, false, '1 minute');
    expect(stack.config.WEBHOOK_EVENT_RETENTION).toBe(parseDuration('30d'));
    await pruneWebhookTables(stack.orm.em.fork(), stack.config.WEBHOOK_EVENT_RETENTION);
    const left = await sql<{ event_id: string }>(`SELECT event_id FROM payment_webhook_events WHERE event_id IN (?, ?, ?)`, [ids.old, ids.fresh, ids.legacy]);
    expect(left.map((r) => r.event_id)).toEqual([ids.fresh]);
  });
});

import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import { testOrm } from '../harness/env';

// The outbox trigger: an event exists exactly when its status change committed.
describe('the transactional outbox', () => {
  let orm: Orm;
  beforeAll(async () => {
    orm = await testOrm();
  });
  afterAll(async () => {
    await orm?.close();
  });
  const insertOrder = (em: ReturnType<Orm['em']['fork']>, id: string) =>
    em.execute(`INSERT INTO orders (id, workflow_id, customer_id, customer_email, status, requested_items, request_fingerprint) VALUES (?, ?, 'c', 'c@example.com', 'PENDING', '[]', 'fp')`, [id, `order-${id}`]);
  const eventTypes = async (id: string) =>
    (await orm.em.fork().execute<{ type: string }[]>(`SELECT type FROM webhook_events WHERE order_id = ? ORDER BY id`, [id])).map((r) => r.type);

  it('writes one event per committed status change, none for a rolled-back one or a same-status write', async () => {
    const id = randomUUID();
    const em = orm.em.fork();
    await insertOrder(em, id);
    await em.execute(`UPDATE orders SET status = 'RESERVED', status_seq = 1 WHERE id = ?`, [id]);
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await tx.execute(`UPDATE orders SET status = 'CANCELLED', status_seq = 2 WHERE id = ?`, [id]);
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    await em.execute(`UPDATE orders SET status = 'RESERVED', status_seq = 2 WHERE id = ?`, [id]);
    expect(await eventTypes(id)).toEqual(['order.pending', 'order.reserved']);
  });
});

import type { Client as PgClient } from 'pg';

/**
 * Follows orders to PAID cheaply: one batched query for every order being waited on, every `intervalMs`, instead
 * of a GET /orders/:id per order (which would load the API under test). An order counts as there once it is PAID
 * (or later COMPLETED) and its order_confirmed notification is recorded — the point where the ceiling workflow
 * ends, so both sides are followed to the same step.
 */
export class PaidFollower {
  private readonly waiting = new Map<string, { resolve: () => void; reject: (err: unknown) => void }>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private failure?: unknown;

  constructor(
    private readonly db: PgClient,
    private readonly intervalMs = 10,
  ) {}

  wait(orderId: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(orderId, { resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.polling || this.waiting.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, this.intervalMs);
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const ids = [...this.waiting.keys()];
      const { rows } = await this.db.query<{ id: string }>(
        `SELECT o.id FROM orders o
         WHERE o.id = ANY($1::uuid[]) AND o.status IN ('PAID', 'COMPLETED')
           AND EXISTS (SELECT 1 FROM notifications n WHERE n.idempotency_key = o.id || ':order_confirmed')`,
        [ids],
      );
      for (const { id } of rows) {
        this.waiting.get(id)?.resolve();
        this.waiting.delete(id);
      }
    } catch (err) {
      // The database is gone: fail every waiter rather than hang the benchmark.
      this.failure = err;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}

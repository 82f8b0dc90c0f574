import type { Client as PgClient } from 'pg';
import { TERMINAL_STATUSES } from '../../workflows/order/definitions';

/** Where an order is followed to: PAID with its order_confirmed notification sent, or any of some statuses. */
export type FollowTarget = 'paid' | readonly string[];

interface Waiter {
  target: FollowTarget;
  resolve: (status: string) => void;
  reject: (err: unknown) => void;
}

/**
 * Follows orders cheaply: one batched query for every order being waited on, every `intervalMs`, instead of a
 * GET /orders/:id per order (which would load the API under test). `paid` counts an order as there once it is PAID
 * (or later COMPLETED) and its order_confirmed notification is recorded — the point where the ceiling workflow
 * ends, so both sides are followed to the same step. An order that settles elsewhere (say CANCELLED when PAID was
 * awaited) fails its wait instead of hanging the benchmark.
 */
export class OrderFollower {
  private readonly waiting = new Map<string, Waiter>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private failure?: unknown;

  constructor(
    private readonly db: PgClient,
    private readonly intervalMs = 10,
  ) {}

  /** Resolves with the status reached. */
  wait(orderId: string, target: FollowTarget = 'paid'): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(orderId, { target, resolve, reject });
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
      // A named statement, parsed once: the poll is the benchmark's own load on the database it measures.
      const { rows } = await this.db.query<{ id: string; status: string; confirmed: boolean }>({
        name: 'bench_follow_orders',
        text: `SELECT o.id, o.status,
                EXISTS (SELECT 1 FROM notifications n WHERE n.idempotency_key = o.id || ':order_confirmed') AS confirmed
         FROM orders o WHERE o.id = ANY($1::uuid[])`,
        values: [ids],
      });
      for (const { id, status, confirmed } of rows) {
        const waiter = this.waiting.get(id)!;
        const { target } = waiter;
        const there = target === 'paid' ? (status === 'PAID' || status === 'COMPLETED') && confirmed : target.includes(status);
        const elsewhere = !there && (TERMINAL_STATUSES as readonly string[]).includes(status) && (target === 'paid' ? status !== 'COMPLETED' : true);
        if (there) waiter.resolve(status);
        else if (elsewhere) waiter.reject(new Error(`order ${id} ended ${status}, not ${target === 'paid' ? 'PAID' : target.join('/')}`));
        if (there || elsewhere) this.waiting.delete(id);
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

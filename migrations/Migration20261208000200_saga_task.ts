import { Migration } from '@mikro-orm/migrations';

/**
 * Which workflow task of the saga wrote the order's status last (`saga_task`: the task's history length). A workflow
 * task lost with its worker may have written status changes (its local activities ran) that the saga, replaying
 * that task with the events that arrived meanwhile, then makes differently at the same positions (a cancel that came
 * in the meantime, say). A change numbered by a later task at a position whose recorded status differs is that new
 * course, and replaces the lost one (src/orders/order-store.ts, recordStatusIn).
 */
export class Migration20261208000200_saga_task extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE orders ADD COLUMN saga_task integer NOT NULL DEFAULT 0`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE orders DROP COLUMN saga_task`);
  }
}

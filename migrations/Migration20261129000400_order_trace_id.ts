import { Migration } from '@mikro-orm/migrations';

/**
 * The OpenTelemetry trace id of the request that placed the order (null when tracing was off): GET /orders/{id}
 * shows it next to the Web UI link, so an engineer goes from an order to its trace.
 */
export class Migration20261129000400_order_trace_id extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE orders ADD COLUMN trace_id text NULL CONSTRAINT orders_trace_id_hex CHECK (trace_id ~ '^[0-9a-f]{32}$')`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE orders DROP COLUMN trace_id`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * The units each admitted order asks for, so the admission can cap the units one customer holds in unpaid orders
 * (MAX_UNPAID_UNITS_PER_CUSTOMER) before the order has a row of its own.
 */
export class Migration20261205002100_admission_units extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE order_admissions ADD COLUMN units integer NOT NULL DEFAULT 0`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE order_admissions DROP COLUMN IF EXISTS units`);
  }
}

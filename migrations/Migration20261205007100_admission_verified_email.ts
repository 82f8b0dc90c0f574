import { Migration } from '@mikro-orm/migrations';

/**
 * An order's email is a rate-limit key shared across customers only when a token verified it (its `email` claim):
 * an email a customer merely typed into the body is no key at all, so admissions keep it NULL.
 */
export class Migration20261205007100_admission_verified_email extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE order_admissions ALTER COLUMN customer_email DROP NOT NULL`);
  }

  override async down(): Promise<void> {
    this.addSql(`DELETE FROM order_admissions WHERE customer_email IS NULL`);
    this.addSql(`ALTER TABLE order_admissions ALTER COLUMN customer_email SET NOT NULL`);
  }
}

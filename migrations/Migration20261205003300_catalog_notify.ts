import { Migration } from '@mikro-orm/migrations';

/**
 * Every change to a product row — created, changed by an admin, stock reserved, released, committed, restocked or
 * adjusted; every one of these writes the row — notifies the channel `catalog_changed` with the product id, from the
 * transaction that made it: PostgreSQL delivers it to the listeners when (and only if) that transaction commits.
 * Each API instance listens on a connection of its own and drops what it has cached of the product
 * (src/catalog/product-cache.ts). Identical notifications of one transaction are delivered once.
 */
export class Migration20261205003300_catalog_notify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE FUNCTION products_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('catalog_changed', NEW.id::text);
        RETURN NULL;
      END
      $$`);
    this.addSql(`CREATE TRIGGER products_notify_change AFTER INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION products_notify_change()`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TRIGGER IF EXISTS products_notify_change ON products`);
    this.addSql(`DROP FUNCTION IF EXISTS products_notify_change()`);
  }
}

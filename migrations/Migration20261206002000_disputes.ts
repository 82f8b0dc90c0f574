import { Migration } from '@mikro-orm/migrations';

/**
 * Disputes of an order's charge (issue #26, part 3):
 *  - orders.dispute: the dispute as the order shows it, `{ id, status: open|won|lost, amountCents, reason }`;
 *  - orders.status_before_dispute: the status a DISPUTED order returns to when the dispute is won. The saga may still
 *    run (a dispute can open within the cancel window): its later status writes land here instead of the visible
 *    status (src/orders/order-store.ts), so the order comes back to where its saga got to;
 *  - the statuses DISPUTED and CHARGED_BACK, and the reasons `dispute_opened`, `dispute_won`, `dispute_lost`.
 * The status and reason constraints are widened from what they allow now (read from the catalog) rather than
 * rewritten from a list, so migrations that widen them too, whatever their order, keep each other's values. `down`
 * fails while any order or history row is DISPUTED or CHARGED_BACK, as the narrower constraints would refuse them.
 */
const STATUSES = ['DISPUTED', 'CHARGED_BACK'];
const REASONS = ['dispute_opened', 'dispute_won', 'dispute_lost'];

const STATUS_CONSTRAINTS = [
  { table: 'orders', name: 'orders_status_known', column: 'status' },
  { table: 'order_history', name: 'order_history_status_known', column: 'status' },
];
const REASON_CONSTRAINTS = [
  { table: 'orders', name: 'orders_failure_reason_known', column: 'failure_reason' },
  { table: 'order_history', name: 'order_history_reason_known', column: 'reason' },
];

const literals = (values: string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(', ')}]::text[]`;

/**
 * One constraint rebuilt with `add` joined to (or `remove` taken from) the values its definition lists today. A
 * reason constraint keeps its `LIKE '<prefix>%'` patterns and stays NOT VALID (rows earlier versions wrote stay).
 */
function widen(c: { table: string; name: string; column: string }, change: { add?: string[]; remove?: string[] }, reasons: boolean): string {
  return `
    DO $$
    DECLARE
      def text := (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '${c.name}');
      found text[] := ARRAY(SELECT m[1] FROM regexp_matches(def, '''([^'']*)''', 'g') m);
      plain text[] := ARRAY(SELECT DISTINCT v FROM unnest(found || ${literals(change.add ?? [])}) v
                            WHERE v NOT LIKE '%\\%%' AND NOT v = ANY(${literals(change.remove ?? [])}) ORDER BY v);
      patterns text[] := ARRAY(SELECT DISTINCT v FROM unnest(found) v WHERE v LIKE '%\\%%' ORDER BY v);
      rule text := '${c.column} IN (' || (SELECT string_agg(quote_literal(v), ', ') FROM unnest(plain) v) || ')';
    BEGIN
      ${
        reasons
          ? `rule := '${c.column} IS NULL OR ' || rule || COALESCE((SELECT string_agg(' OR ${c.column} LIKE ' || quote_literal(p), '') FROM unnest(patterns) p), '');`
          : ''
      }
      EXECUTE 'ALTER TABLE ${c.table} DROP CONSTRAINT ${c.name}';
      EXECUTE 'ALTER TABLE ${c.table} ADD CONSTRAINT ${c.name} CHECK (' || rule || ')${reasons ? ' NOT VALID' : ''}';
    END
    $$`;
}

export class Migration20261206002000_disputes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE orders ADD COLUMN dispute jsonb NULL, ADD COLUMN status_before_dispute text NULL, ADD COLUMN saga_seq integer NULL`);
    for (const c of STATUS_CONSTRAINTS) this.addSql(widen(c, { add: STATUSES }, false));
    for (const c of REASON_CONSTRAINTS) this.addSql(widen(c, { add: REASONS }, true));
  }

  override async down(): Promise<void> {
    for (const c of REASON_CONSTRAINTS) this.addSql(widen(c, { remove: REASONS }, true));
    for (const c of STATUS_CONSTRAINTS) this.addSql(widen(c, { remove: STATUSES }, false));
    this.addSql(`ALTER TABLE orders DROP COLUMN saga_seq, DROP COLUMN status_before_dispute, DROP COLUMN dispute`);
  }
}

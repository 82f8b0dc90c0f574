import { Migration } from '@mikro-orm/migrations';
import { ORDER_FULFILMENT_SELECT } from './sql/order-fulfilment';
import { ITEMS_BOUGHT_STATUSES, itemsBoughtExpression } from './sql/order-items-bought';

/**
 * Goods that ship (issue #27): after payment an order's units are dispatched in shipments, delivered, cancelled
 * before dispatch or returned.
 *  - products.requires_shipping: whether a product's units are shipped (an order without such a line lives as before);
 *  - the statuses PARTIALLY_SHIPPED, SHIPPED, DELIVERED and the reasons of FULFILMENT_REASONS and `delivery_overdue`,
 *    `capture_at_dispatch`, widened into the status and reason constraints like Migration20261206002000_disputes does
 *    (from what the constraints allow today, so migrations that widen them too keep each other's values);
 *  - shipments: one row per dispatch (its id is the warehouse's Idempotency-Key), with the carrier's tracking number;
 *  - order_returns: the returns customers ask for and the warehouse receives (or that expire);
 *  - order_item_cancellations: undispatched units the customer cancelled, and their amount (refunded when the money
 *    had been captured);
 *  - outbound events `shipment.dispatched` (a shipments insert) and `return.received` (a return becoming received),
 *    written by triggers in the transaction that records them, like `refund.created`. Deferred to the commit, so
 *    their snapshot is the order as that transaction left it (its status change included); `data` names the
 *    shipment or return, which the snapshot's `fulfilment` holds;
 *  - every event's order snapshot carries the order's shipments, returns and cancelled units (`fulfilment`), so a
 *    delivery shows the order as GET /orders/{id} did at that moment;
 *  - the customer statistics count the units of shipped and delivered orders as bought, like PAID and COMPLETED ones.
 * `down` fails while any row uses the new statuses or reasons, as the narrower constraints would refuse them.
 */
const STATUSES = ['PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED'];
const REASONS = [
  'shipment_dispatched',
  'shipment_delivered',
  'items_cancelled',
  'return_received',
  'returned',
  'return_window_ended',
  'delivery_overdue',
  'capture_at_dispatch',
];

const STATUS_CONSTRAINTS = [
  { table: 'orders', name: 'orders_status_known', column: 'status' },
  { table: 'order_history', name: 'order_history_status_known', column: 'status' },
];
const REASON_CONSTRAINTS = [
  { table: 'orders', name: 'orders_failure_reason_known', column: 'failure_reason' },
  { table: 'order_history', name: 'order_history_reason_known', column: 'reason' },
];

const literals = (values: string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(', ')}]::text[]`;

/** As in Migration20261206002000_disputes (a migration is frozen once run, so each keeps its own copy). */
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

/** One outbound event of an order, with `data`, fanned out to the endpoints that take its type (as refund.created). */
const recordEvent = (type: string, orderId: string, data: string) => `
        SELECT * INTO target FROM orders WHERE id = ${orderId};
        INSERT INTO webhook_events (type, order_id, order_seq, order_snapshot, data)
        VALUES ('${type}', target.id, target.status_seq, order_event_snapshot(target), ${data})
        RETURNING id INTO event;
        INSERT INTO webhook_messages (event_id, endpoint_id, order_id)
        SELECT event, e.id, target.id FROM webhook_endpoints e
        WHERE e.status = 'enabled' AND (e.events IS NULL OR '${type}' = ANY (e.events));`;

/** The outbox triggers of Migration20261205004000_webhook_outbox and Migration20261206004100_refund_created_event. */
const statusEventFunction = (snapshot: string) => `
      CREATE OR REPLACE FUNCTION webhook_outbox_record() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        event_type text := 'order.' || lower(NEW.status);
        event bigint;
      BEGIN
        INSERT INTO webhook_events (type, order_id, order_seq, order_snapshot)
        VALUES (event_type, NEW.id, NEW.status_seq, ${snapshot})
        RETURNING id INTO event;
        INSERT INTO webhook_messages (event_id, endpoint_id, order_id)
        SELECT event, e.id, NEW.id FROM webhook_endpoints e
        WHERE e.status = 'enabled' AND (e.events IS NULL OR event_type = ANY (e.events));
        RETURN NULL;
      END $$`;
const refundEventFunction = (snapshot: string) => `
      CREATE OR REPLACE FUNCTION webhook_outbox_refund_created() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        refund jsonb;
        event bigint;
      BEGIN
        FOR refund IN
          SELECT r FROM jsonb_array_elements(NEW.refunds) r
          WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(OLD.refunds) o WHERE o->>'id' = r->>'id')
        LOOP
          INSERT INTO webhook_events (type, order_id, order_seq, order_snapshot, data)
          VALUES ('refund.created', NEW.id, NEW.status_seq, ${snapshot}, jsonb_build_object('refund', refund))
          RETURNING id INTO event;
          INSERT INTO webhook_messages (event_id, endpoint_id, order_id)
          SELECT event, e.id, NEW.id FROM webhook_endpoints e
          WHERE e.status = 'enabled' AND (e.events IS NULL OR 'refund.created' = ANY (e.events));
        END LOOP;
        RETURN NULL;
      END $$`;

const itemsBoughtFunction = (statuses: readonly string[]) => `
      CREATE OR REPLACE FUNCTION order_items_bought(status text, lines jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
        SELECT ${itemsBoughtExpression(statuses)}
      $$`;

export class Migration20261207001000_fulfilment extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE products ADD COLUMN requires_shipping boolean NOT NULL DEFAULT false`);
    for (const c of STATUS_CONSTRAINTS) this.addSql(widen(c, { add: STATUSES }, false));
    for (const c of REASON_CONSTRAINTS) this.addSql(widen(c, { add: REASONS }, true));

    this.addSql(`
      CREATE TABLE shipments (
        id               uuid           PRIMARY KEY,
        order_id         uuid           NOT NULL REFERENCES orders (id),
        status           text           NOT NULL DEFAULT 'dispatched',
        items            jsonb          NOT NULL,
        carrier          text           NOT NULL,
        tracking_number  text           NOT NULL,
        dispatched_at    timestamptz(3) NOT NULL DEFAULT now(),
        in_transit_at    timestamptz(3) NULL,
        delivered_at     timestamptz(3) NULL,
        CONSTRAINT shipments_tracking_number_key UNIQUE (tracking_number),
        CONSTRAINT shipments_status_known CHECK (status IN ('dispatched', 'in_transit', 'delivered')),
        CONSTRAINT shipments_delivered_at CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
      )`);
    this.addSql(`CREATE INDEX shipments_order_idx ON shipments (order_id)`);
    this.addSql(`
      CREATE TABLE order_returns (
        id              uuid           PRIMARY KEY,
        order_id        uuid           NOT NULL REFERENCES orders (id),
        status          text           NOT NULL DEFAULT 'requested',
        items           jsonb          NOT NULL,
        reason          text           NOT NULL,
        refund_cents    bigint         NOT NULL,
        received_items  jsonb          NULL,
        requested_at    timestamptz(3) NOT NULL DEFAULT now(),
        received_at     timestamptz(3) NULL,
        expired_at      timestamptz(3) NULL,
        CONSTRAINT order_returns_status_known CHECK (status IN ('requested', 'received', 'expired')),
        CONSTRAINT order_returns_refund_non_negative CHECK (refund_cents >= 0),
        CONSTRAINT order_returns_received CHECK ((status = 'received') = (received_at IS NOT NULL AND received_items IS NOT NULL))
      )`);
    this.addSql(`CREATE INDEX order_returns_order_idx ON order_returns (order_id)`);
    this.addSql(`
      CREATE TABLE order_item_cancellations (
        id            uuid           PRIMARY KEY,
        order_id      uuid           NOT NULL REFERENCES orders (id),
        items         jsonb          NOT NULL,
        amount_cents  bigint         NOT NULL,
        refunded      boolean        NOT NULL,
        created_at    timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT order_item_cancellations_amount_non_negative CHECK (amount_cents >= 0)
      )`);
    this.addSql(`CREATE INDEX order_item_cancellations_order_idx ON order_item_cancellations (order_id)`);

    // The order's fulfilment as the API shows it (src/orders/order-view.ts reads the same shape): every outbox
    // snapshot carries it, and GET /orders/{id} reads it with this function too. Three index lookups.
    this.addSql(`
      CREATE FUNCTION order_fulfilment(p_order uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
${ORDER_FULFILMENT_SELECT}
      $$`);
    this.addSql(`
      CREATE FUNCTION order_event_snapshot(o orders) RETURNS jsonb LANGUAGE sql STABLE AS $$
        SELECT to_jsonb(o) || jsonb_build_object('fulfilment', order_fulfilment(o.id))
      $$`);
    this.addSql(statusEventFunction('order_event_snapshot(NEW)'));
    this.addSql(refundEventFunction('order_event_snapshot(NEW)'));

    this.addSql(`
      CREATE FUNCTION webhook_outbox_shipment_dispatched() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        target orders;
        event bigint;
      BEGIN
        ${recordEvent('shipment.dispatched', 'NEW.order_id', `jsonb_build_object('shipmentId', NEW.id)`)}
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE CONSTRAINT TRIGGER shipments_webhook_outbox_dispatched AFTER INSERT ON shipments
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION webhook_outbox_shipment_dispatched()`);
    this.addSql(`
      CREATE FUNCTION webhook_outbox_return_received() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        target orders;
        event bigint;
      BEGIN
        ${recordEvent('return.received', 'NEW.order_id', `jsonb_build_object('returnId', NEW.id)`)}
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE CONSTRAINT TRIGGER order_returns_webhook_outbox_received AFTER UPDATE OF status ON order_returns
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status = 'received')
        EXECUTE FUNCTION webhook_outbox_return_received()`);

    this.addSql(itemsBoughtFunction(ITEMS_BOUGHT_STATUSES));
  }

  override async down(): Promise<void> {
    this.addSql(itemsBoughtFunction(['PAID', 'COMPLETED']));
    this.addSql('DROP TRIGGER IF EXISTS order_returns_webhook_outbox_received ON order_returns');
    this.addSql('DROP FUNCTION IF EXISTS webhook_outbox_return_received()');
    this.addSql('DROP TRIGGER IF EXISTS shipments_webhook_outbox_dispatched ON shipments');
    this.addSql('DROP FUNCTION IF EXISTS webhook_outbox_shipment_dispatched()');
    this.addSql(refundEventFunction('to_jsonb(NEW)'));
    this.addSql(statusEventFunction('to_jsonb(NEW)'));
    this.addSql('DROP FUNCTION IF EXISTS order_event_snapshot(orders)');
    this.addSql('DROP FUNCTION IF EXISTS order_fulfilment(uuid)');
    this.addSql('DROP TABLE IF EXISTS order_item_cancellations');
    this.addSql('DROP TABLE IF EXISTS order_returns');
    this.addSql('DROP TABLE IF EXISTS shipments');
    for (const c of REASON_CONSTRAINTS) this.addSql(widen(c, { remove: REASONS }, true));
    for (const c of STATUS_CONSTRAINTS) this.addSql(widen(c, { remove: STATUSES }, false));
    this.addSql(`ALTER TABLE products DROP COLUMN requires_shipping`);
  }
}

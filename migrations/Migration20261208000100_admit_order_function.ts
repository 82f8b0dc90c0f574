import { Migration } from '@mikro-orm/migrations';

/**
 * The admission of a new order in one call: `admit_order(...)` takes the customer's (and the verified email's)
 * advisory lock, reads the limits' state, decides, and records the admission, in the caller's single statement
 * (its own transaction when autocommitted). It was a transaction of six round trips from the API (BEGIN, lock,
 * state, insert, prune, COMMIT).
 *
 * PL/pgSQL on purpose: under READ COMMITTED each statement of a VOLATILE function takes a new snapshot, so the state
 * is read after the lock is held and sees every admission committed before it (a single SQL statement would read
 * the snapshot taken before it waited for the lock). The decision's order is the API's answer: rate windows first,
 * then open orders, then unpaid units; `refusal` names the first limit that is full (NULL: admitted).
 */
export class Migration20261208000100_admit_order_function extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE FUNCTION admit_order(
  p_order_id uuid, p_customer_id text, p_email text, p_units integer,
  p_per_minute integer, p_max_open integer, p_max_unpaid_units integer,
  p_window interval, p_unrecorded_grace interval
) RETURNS TABLE (
  now timestamptz, known boolean, refusal text,
  by_customer bigint, customer_oldest timestamptz, by_email bigint, email_oldest timestamptz,
  open_recorded bigint, open_unrecorded bigint, open_oldest timestamptz, units_recorded bigint, units_unrecorded bigint
) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  t timestamptz;
BEGIN
  -- Always the customer first, then the email: two decisions never wait for each other in a cycle.
  PERFORM pg_advisory_xact_lock(72001, hashtext(p_customer_id));
  IF p_email IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(72002, hashtext(p_email));
  END IF;
  t := clock_timestamp();
  now := t;
  known := EXISTS (SELECT 1 FROM order_admissions WHERE order_id = p_order_id) OR EXISTS (SELECT 1 FROM orders WHERE id = p_order_id);
  -- An admission whose order was refused before anything was reserved (REJECTED) counts for nothing.
  SELECT count(*), min(a.admitted_at) INTO by_customer, customer_oldest FROM order_admissions a
   WHERE a.customer_id = p_customer_id AND a.admitted_at > t - p_window
     AND NOT EXISTS (SELECT 1 FROM orders r WHERE r.id = a.order_id AND r.status = 'REJECTED');
  SELECT count(*), min(a.admitted_at) INTO by_email, email_oldest FROM order_admissions a
   WHERE a.customer_email = p_email AND a.admitted_at > t - p_window
     AND NOT EXISTS (SELECT 1 FROM orders r WHERE r.id = a.order_id AND r.status = 'REJECTED');
  SELECT count(*), min(o.created_at) INTO open_recorded, open_oldest FROM orders o
   WHERE o.customer_id = p_customer_id AND o.status IN ('PENDING', 'RESERVED', 'AWAITING_PAYMENT');
  SELECT coalesce(sum((line->>'quantity')::int), 0) INTO units_recorded
    FROM orders o, jsonb_array_elements(o.requested_items) AS line
   WHERE o.customer_id = p_customer_id AND o.status IN ('PENDING', 'RESERVED', 'AWAITING_PAYMENT');
  -- Admitted, with no order row yet: they still hold a place for a grace period.
  SELECT count(*), coalesce(sum(a.units), 0) INTO open_unrecorded, units_unrecorded FROM order_admissions a
   WHERE a.customer_id = p_customer_id AND a.admitted_at > t - p_unrecorded_grace
     AND NOT EXISTS (SELECT 1 FROM orders WHERE id = a.order_id);

  IF known THEN
    refusal := NULL; -- a replay of an admitted order: let through, counted once
  ELSIF by_customer >= p_per_minute OR (p_email IS NOT NULL AND by_email >= p_per_minute) THEN
    refusal := 'rate_limited';
  ELSIF open_recorded + open_unrecorded >= p_max_open THEN
    refusal := 'too_many_open_orders';
  ELSIF units_recorded + units_unrecorded + p_units > p_max_unpaid_units THEN
    refusal := 'unpaid_units_exceeded';
  ELSE
    refusal := NULL;
    INSERT INTO order_admissions (order_id, customer_id, customer_email, admitted_at, units) VALUES (p_order_id, p_customer_id, p_email, t, p_units);
    -- Older admissions count for nothing any more (their orders have rows, which answer replays): keep the table small.
    DELETE FROM order_admissions WHERE customer_id = p_customer_id AND admitted_at < t - interval '1 day';
  END IF;
  RETURN NEXT;
END
$fn$`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP FUNCTION IF EXISTS admit_order(uuid, text, text, integer, integer, integer, integer, interval, interval)`);
  }
}

import { sqlWithoutLiterals } from '../../src/telemetry/sql-statement';

describe('sqlWithoutLiterals', () => {
  it('replaces inlined strings and numbers, keeping placeholders, names and the statement shape', () => {
    const sql =
      "INSERT INTO notifications (order_id, recipient, attempts, t0) VALUES ('o-1', 'ann.o''neil@example.com', 3, $1) " +
      "ON CONFLICT (idempotency_key) DO UPDATE SET total_cents = 4900, note = E'tok_visa' RETURNING id";
    expect(sqlWithoutLiterals(sql)).toBe(
      'INSERT INTO notifications (order_id, recipient, attempts, t0) VALUES (?, ?, ?, $1) ' +
        'ON CONFLICT (idempotency_key) DO UPDATE SET total_cents = ?, note = ? RETURNING id',
    );
  });

  it('leaves a statement without literals as it is', () => {
    const sql = 'select "p0".* from "products" as "p0" where "p0"."id" = $1 for update';
    expect(sqlWithoutLiterals(sql)).toBe(sql);
  });
});

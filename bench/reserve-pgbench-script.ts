import { DEFAULT_MAX_ORDER_TOTAL_CENTS } from '../src/catalog/limits';
import { RESERVE_SQL } from '../src/catalog/reserve-stock';
import { RELEASE_SQL } from '../src/catalog/stock-transitions';

/**
 * The pgbench script of bench/reserve.ts, made at bench time from the statements the product sends (RESERVE_SQL of
 * src/catalog/reserve-stock.ts, RELEASE_SQL of src/catalog/stock-transitions.ts), so pgbench runs exactly what
 * reserveStock + releaseStock run and the two can never drift apart. One transaction reserves one unit of product k
 * for a new order and releases it. Variables (pgbench -D): prefix (the scenario's sku prefix; product k's id is
 * md5(prefix || k)::uuid), nproducts.
 */
export function reservePgbenchScript(): string {
  // Immutable expressions of pgbench variables; PostgreSQL folds them to constants when planning, so the
  // statements plan exactly like ours, whose parameters arrive as literals.
  const orderId = `md5(':client_id-:r1-:r2')`;
  const productIds = `ARRAY[md5(':prefix' || :k)::uuid]`;
  return [
    '-- Written by bench/reserve.ts from RESERVE_SQL (src/catalog/reserve-stock.ts) and RELEASE_SQL',
    '-- (src/catalog/stock-transitions.ts). Variables: prefix, nproducts (pgbench -D).',
    '\\set k random(1, :nproducts)',
    '\\set r1 random(0, 1000000000000000)',
    '\\set r2 random(0, 1000000000000000)',
    `${withPgbenchParams(RESERVE_SQL, [productIds, `'{1}'`, orderId, orderId, String(DEFAULT_MAX_ORDER_TOTAL_CENTS), orderId])};`,
    `${withPgbenchParams(RELEASE_SQL, [orderId])};`,
    '',
  ].join('\n');
}

/** Replaces the `?` placeholders of one of our statements with pgbench expressions, in order. */
export function withPgbenchParams(sql: string, params: string[]): string {
  const parts = sql.trim().split('?');
  if (parts.length !== params.length + 1) {
    throw new Error(`expected ${params.length} placeholders, found ${parts.length - 1}: the statement changed shape`);
  }
  return parts.reduce((out, part, i) => out + params[i - 1] + part);
}

import { types } from 'pg';

/**
 * bigint (int8) columns are read as JavaScript numbers: money columns are bigint, and every amount the service
 * stores is bounded far below 2^53 (MAX_ORDER_TOTAL_CENTS), as are identity columns. A value beyond the safe
 * integer range stays a string rather than silently losing precision. Applies to every pg client in the process
 * (the ORM's, and plain `pg` clients such as the invariant checker's), so import it wherever a client is made.
 */
types.setTypeParser(types.builtins.INT8, (text: string) => {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
});

/** The largest value of a PostgreSQL integer column: quantities, stock levels and money amounts must fit in one. */
export const PG_INT_MAX = 2_147_483_647;

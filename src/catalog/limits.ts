/** The largest value of a PostgreSQL integer column: quantities, stock levels and money amounts must fit in one. */
export const PG_INT_MAX = 2_147_483_647;

/** The largest order total by default (MAX_ORDER_TOTAL_CENTS): the largest amount a card charge may have at Stripe. */
export const DEFAULT_MAX_ORDER_TOTAL_CENTS = 99_999_999;

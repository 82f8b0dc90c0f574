/**
 * The units an order counts as bought in the customer's statistics: its lines' quantities while it is paid (or on its
 * way, delivered, completed), else 0. The body of `order_items_bought(status text, lines jsonb)`, shared by the
 * migrations that define it. (Not a migration itself: the migrator reads only the files directly in migrations/.)
 */
export const ITEMS_BOUGHT_STATUSES = ['PAID', 'COMPLETED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED'] as const;

export const itemsBoughtExpression = (statuses: readonly string[]) => `CASE WHEN status IN (${statuses.map((v) => `'${v}'`).join(', ')}) AND lines IS NOT NULL
                    THEN (SELECT coalesce(sum((l->>'quantity')::bigint), 0) FROM jsonb_array_elements(lines) l)
                    ELSE 0 END`;

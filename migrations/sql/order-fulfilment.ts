/**
 * The order's fulfilment as the API shows it (src/orders/order-view.ts reads the same shape): shipments, returns and
 * cancelled items of the order `$1`, as one JSON object. The body of `order_fulfilment(uuid)`, shared by the
 * migrations that define it. (Not a migration itself: the migrator reads only the files directly in migrations/.)
 */
export const ORDER_FULFILMENT_SELECT = `
        SELECT jsonb_build_object(
          'shipments', COALESCE((
            SELECT jsonb_agg(jsonb_build_object('id', s.id, 'orderId', s.order_id, 'status', s.status, 'items', s.items,
                     'carrier', s.carrier, 'trackingNumber', s.tracking_number, 'dispatchedAt', s.dispatched_at,
                     'deliveredAt', s.delivered_at) ORDER BY s.dispatched_at, s.id)
            FROM shipments s WHERE s.order_id = $1), '[]'::jsonb),
          'returns', COALESCE((
            SELECT jsonb_agg(jsonb_build_object('id', r.id, 'orderId', r.order_id, 'status', r.status, 'items', r.items,
                     'reason', r.reason, 'refundCents', r.refund_cents, 'receivedItems', r.received_items,
                     'requestedAt', r.requested_at, 'receivedAt', r.received_at) ORDER BY r.requested_at, r.id)
            FROM order_returns r WHERE r.order_id = $1), '[]'::jsonb),
          'cancelledItems', COALESCE((
            SELECT jsonb_agg(jsonb_build_object('productId', u.product_id, 'quantity', u.quantity) ORDER BY u.product_id)
            FROM (SELECT i->>'productId' AS product_id, sum((i->>'quantity')::int) AS quantity
                  FROM order_item_cancellations c, jsonb_array_elements(c.items) i
                  WHERE c.order_id = $1 GROUP BY 1) u), '[]'::jsonb))`;

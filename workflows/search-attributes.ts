import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The search attributes engineers filter sagas by in the Temporal Web UI (`OrderId = "…"`,
 * `OrderStatus = "NEEDS_ATTENTION"`). Registered by the dev-server launcher, the test harness and docker compose.
 */
export const OrderIdKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const OrderTotalCentsKey = defineSearchAttributeKey('OrderTotalCents', SearchAttributeType.INT);

export const ORDER_SEARCH_ATTRIBUTES = [OrderIdKey, CustomerIdKey, OrderStatusKey, OrderTotalCentsKey];

import { ORDER_STATUSES } from '../../workflows/order/state-machine';

/**
 * The outbound event types: one per order status, `order.<status in lower case>`, derived from the state machine so
 * a new status is a new event type by itself (the outbox trigger derives it the same way in SQL).
 */
export const ORDER_EVENT_TYPES = ORDER_STATUSES.map((status) => `order.${status.toLowerCase()}`);

/** Events of an order's refunds: `refund.created` when an operator's refund is recorded (its own outbox trigger). */
export const REFUND_EVENT_TYPES = ['refund.created'];

/**
 * Events of goods that ship (Migration20261207001000_fulfilment): `shipment.dispatched` when a shipment is recorded,
 * `return.received` when the warehouse received a return (each its own outbox trigger).
 */
export const FULFILMENT_EVENT_TYPES = ['shipment.dispatched', 'return.received'];

/** Every type an endpoint may subscribe to. */
export const EVENT_TYPES = [...ORDER_EVENT_TYPES, ...REFUND_EVENT_TYPES, ...FULFILMENT_EVENT_TYPES];

export const orderEventType = (status: string) => `order.${status.toLowerCase()}`;

export const isEventType = (type: string): boolean => EVENT_TYPES.includes(type);

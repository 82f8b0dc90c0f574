import { InvalidStockRequestError } from './errors';
import { isUuid } from '../uuid';

/** The stock functions key everything by order id; a malformed one is the caller's bug, answered as 400. */
export function parseOrderId(orderId: string): string {
  if (!isUuid(orderId)) throw new InvalidStockRequestError(`order id "${orderId}" is not a uuid`);
  return orderId.toLowerCase();
}

// The stock API the order saga's activities call. Each function takes an EntityManager fork (orm.em.fork()),
// runs one short statement that commits on its own, and is idempotent per order, because Temporal retries
// activities. Call them outside em.transactional: inside one, the product row locks would be held until that
// outer transaction commits, and every other order for those products would wait for it.
export { reserveStock } from './reserve-stock';
export type { ReservationResult, ReservedLine, StockRequestLine } from './reserve-stock';
export { commitStock, commitStockAlongside, releaseStock, restockOrder } from './stock-transitions';
export type { StockTransition } from './stock-transitions';
export { CurrencyMismatchError, InsufficientStockError, InvalidStockRequestError, OrderTotalTooLargeError, PurchaseLimitExceededError, UnknownProductError } from './errors';
export type { PurchaseLimitOverrun, StockShortfall } from './errors';

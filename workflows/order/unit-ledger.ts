import type { OrderItemRequest, PricedLine } from './definitions';

/**
 * Where each unit of an order that ships stands: ordered, cancelled before dispatch, dispatched, delivered, asked
 * back, received back. Plain arithmetic over the priced lines, so the saga's validators can answer synchronously and
 * a unit test can check it alone. Units taken by a request still in flight count as taken: two concurrent shipments
 * can never together exceed what is left.
 */
export class UnitLedger {
  private readonly cancelled = new Map<string, number>();
  private readonly dispatched = new Map<string, number>();
  private readonly delivered = new Map<string, number>();
  /** Units of open returns plus units received back. */
  private readonly returned = new Map<string, number>();

  constructor(readonly lines: readonly PricedLine[]) {}

  /** The order has goods that ship. */
  get ships(): boolean {
    return this.lines.some((l) => l.requiresShipping);
  }

  line(productId: string): PricedLine | undefined {
    const id = productId.toLowerCase();
    return this.lines.find((l) => l.productId.toLowerCase() === id);
  }

  /** Units of a shipping line neither cancelled nor dispatched. */
  leftToShip(productId: string): number {
    const line = this.line(productId);
    if (!line?.requiresShipping) return 0;
    return line.quantity - count(this.cancelled, line.productId) - count(this.dispatched, line.productId);
  }

  /** Units of a line not cancelled (dispatched or not). */
  notCancelled(productId: string): number {
    const line = this.line(productId);
    return line ? line.quantity - count(this.cancelled, line.productId) : 0;
  }

  /** Delivered units not yet asked back. */
  returnable(productId: string): number {
    const line = this.line(productId);
    return line ? count(this.delivered, line.productId) - count(this.returned, line.productId) : 0;
  }

  get anyDispatched(): boolean {
    return [...this.dispatched.values()].some((n) => n > 0);
  }

  /** Every shipping unit not cancelled has been dispatched. */
  get allDispatched(): boolean {
    return this.lines.every((l) => this.leftToShip(l.productId) === 0);
  }

  /** Every unit sold (not cancelled) is back with the merchant: an order with lines that never ship never is. */
  get allReturned(): boolean {
    return this.lines.every((l) => this.notCancelled(l.productId) === count(this.returned, l.productId));
  }

  /** Every unit of every line would be cancelled by `items`. */
  cancelsEverything(items: readonly OrderItemRequest[]): boolean {
    return this.lines.every((l) => this.notCancelled(l.productId) === sum(items, l.productId));
  }

  priceOf(items: readonly OrderItemRequest[]): number {
    return items.reduce((total, item) => total + (this.line(item.productId)?.unitPriceCents ?? 0) * item.quantity, 0);
  }

  /** What the units cancelled so far were worth: a manual capture takes the rest. */
  get cancelledCents(): number {
    return this.lines.reduce((total, l) => total + l.unitPriceCents * count(this.cancelled, l.productId), 0);
  }

  take(kind: 'cancelled' | 'dispatched' | 'delivered' | 'returned', items: readonly OrderItemRequest[], sign: 1 | -1 = 1): void {
    const map = this[kind];
    for (const item of items) {
      const id = this.line(item.productId)?.productId ?? item.productId;
      map.set(id, count(map, id) + sign * item.quantity);
    }
  }
}

const count = (map: Map<string, number>, productId: string) => map.get(productId) ?? 0;
const sum = (items: readonly OrderItemRequest[], productId: string) =>
  items.filter((i) => i.productId.toLowerCase() === productId.toLowerCase()).reduce((n, i) => n + i.quantity, 0);

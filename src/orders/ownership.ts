import type { AdminPrincipal, CustomerPrincipal } from '../auth/principals';
import { DomainError, ValidationError } from '../errors';

/** Who acts on orders: a customer (their own orders only) or support staff with the admin token (any order). */
export type OrderActor = CustomerPrincipal | AdminPrincipal;

/**
 * Whether the actor may see this order. A customer asking for someone else's order is answered exactly as for an
 * order that does not exist (404), so order ids cannot be probed.
 */
export function maySee(actor: OrderActor, order: { customerId: string }): boolean {
  return actor.kind === 'admin' || order.customerId === actor.customerId;
}

/** Whose orders a listing shows: a customer's own (naming another is 403); the admin names the customer. */
export function listedCustomer(actor: OrderActor, requested: string | undefined): string {
  if (actor.kind === 'admin') {
    if (requested === undefined) throw required('query.customerId', 'the admin token lists one customer\'s orders: pass customerId');
    return requested;
  }
  if (requested !== undefined && requested !== actor.customerId) throw forbidden('customerId is not the customer of this token');
  return actor.customerId;
}

/**
 * The customer and email an order is placed for. A customer places for themself: a body customerId other than the
 * token's subject is 403, and the token's email claim, when present, wins over the body's. Support staff name both.
 * `verifiedEmail` is the email only when a customer token vouched for it (its claim): the body's is where a customer
 * without the claim wants notifications, not proof of whose address it is.
 */
export function placingFor(
  actor: OrderActor,
  body: { customerId?: string; customerEmail?: string },
): { customerId: string; customerEmail: string; verifiedEmail?: string } {
  if (actor.kind === 'customer' && body.customerId !== undefined && body.customerId !== actor.customerId) {
    throw forbidden('the body\'s customerId is not the customer of this token');
  }
  const customerId = actor.kind === 'customer' ? actor.customerId : body.customerId;
  if (customerId === undefined) throw required('body.customerId', 'the admin token places orders for a named customer: pass customerId');
  const verifiedEmail = actor.kind === 'customer' ? actor.email : undefined;
  const customerEmail = verifiedEmail ?? body.customerEmail;
  if (customerEmail === undefined) throw required('body.customerEmail', 'customerEmail is required (the token has no email claim)');
  return { customerId, customerEmail, ...(verifiedEmail === undefined ? {} : { verifiedEmail }) };
}

function forbidden(message: string): DomainError {
  return new DomainError('forbidden', message);
}

function required(path: string, message: string): ValidationError {
  return new ValidationError(message, [{ path, code: 'invalid_type', message: 'Required' }]);
}

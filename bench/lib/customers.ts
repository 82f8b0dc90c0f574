import { randomUUID } from 'node:crypto';
import { signCustomerToken } from '../../src/auth/development-token';
import type { Config } from '../../src/config';

/** A customer the bench places orders for: new for every order, so no per-customer limit ever refuses one. */
export interface BenchCustomer {
  id: string;
  email: string;
  /** The headers of this customer's requests: content type and the customer's own bearer token. */
  headers: Record<string, string>;
}

const run = randomUUID().slice(0, 8);
let next = 0;

/** A new customer, with a token signed with the stack's AUTH_JWT_SECRET (the API's `sub` is the customer id). */
export async function newCustomer(config: Config): Promise<BenchCustomer> {
  const n = next++;
  const id = `bench-${run}-${n}`;
  const email = `${id}@example.com`;
  const token = await signCustomerToken(config, { customerId: id, email });
  return { id, email, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } };
}

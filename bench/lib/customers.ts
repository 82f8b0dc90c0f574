import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';

/** A customer the bench places orders for: new for every order, so no per-customer limit ever refuses one. */
export interface BenchCustomer {
  id: string;
  email: string;
  /** The headers of this customer's requests (content type; a bearer token once the API asks for one). */
  headers: Record<string, string>;
}

const run = randomUUID().slice(0, 8);
let next = 0;

/** A new customer, with what their requests carry. */
export async function newCustomer(_config: Config): Promise<BenchCustomer> {
  const n = next++;
  return { id: `bench-${run}-${n}`, email: `bench-${run}-${n}@example.com`, headers: { 'content-type': 'application/json' } };
}

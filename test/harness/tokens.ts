import { signCustomerToken } from '../../src/auth/development-token';
import type { Config } from '../../src/config';

/** `Authorization: Bearer <customer token>` for this customer, signed with the test config's AUTH_JWT_SECRET. */
export async function customerAuth(config: Config, customerId: string, email?: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await signCustomerToken(config, { customerId, email })}` };
}

import { signCustomerToken } from '../src/auth/development-token';
import { loadConfigOrExit } from '../src/config';
import { customerEmailSchema, customerIdSchema } from '../src/orders/request-schemas';

/**
 * `npm run token -- <customerId> [email]`: prints a customer token (HS256, AUTH_JWT_SECRET, valid 12 hours) for
 * `Authorization: Bearer …`. With no AUTH_JWT_SECRET set it signs with the development secret the local API accepts.
 */
async function main() {
  const [customerId, email] = process.argv.slice(2);
  const usage = 'usage: npm run token -- <customerId> [email]';
  if (!customerId || !customerIdSchema.safeParse(customerId).success || customerId !== customerId.trim()) {
    process.stderr.write(`${usage}\n  customerId: 1–100 printable characters, no surrounding spaces\n`);
    process.exit(2);
  }
  if (email !== undefined && !customerEmailSchema.safeParse(email).success) {
    process.stderr.write(`${usage}\n  email: "${email}" is not an email address\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  process.stdout.write(`${await signCustomerToken(config, { customerId, email })}\n`);
}

main().catch((err) => {
  process.stderr.write(`token: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

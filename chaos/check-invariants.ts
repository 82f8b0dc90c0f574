/**
 * `npm run check:invariants`: checks the saga's invariants on any database + payment simulator (+ Temporal).
 *
 *   npm run check:invariants -- --database-url=postgres://… --simulator-url=http://127.0.0.1:4010 [--temporal-address=127.0.0.1:7233] [--no-temporal]
 *     [--subscriber=sub_…]
 *
 * --subscriber: a simulator subscriber whose endpoint took every event since before the first order; its deliveries
 * are checked against the committed status changes.
 *
 * Defaults come from the service settings (DATABASE_URL, PAYMENT_PROVIDER_URL, TEMPORAL_ADDRESS). Exits 1 when any
 * invariant is breached, 2 when the check itself could not run.
 */
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../src/config';
import { temporalClientOptions } from '../src/temporal/options';
import { temporalConnectionOptions } from '../src/temporal/connection';
import { checkInvariants, formatReport } from './lib/invariants';
import type { ReceivedDelivery } from './lib/webhook-deliveries';

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function subscriberDeliveries(url: string): Promise<ReceivedDelivery[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return ((await res.json()) as { items: ReceivedDelivery[] }).items;
}

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const databaseUrl = flag('database-url') ?? config.DATABASE_URL;
  const simulatorUrl = (flag('simulator-url') ?? config.PAYMENT_PROVIDER_URL).replace(/\/$/, '');
  const temporalAddress = process.argv.includes('--no-temporal') ? undefined : (flag('temporal-address') ?? config.TEMPORAL_ADDRESS);
  console.log(`checking ${new URL(databaseUrl).pathname.slice(1)} against ${simulatorUrl}${temporalAddress ? ` and Temporal at ${temporalAddress}` : ''}`);

  const connection = temporalAddress ? await Connection.connect({ ...temporalConnectionOptions({ ...config, TEMPORAL_ADDRESS: temporalAddress }), connectTimeout: '5s' }) : undefined;
  try {
    const temporal = connection ? new Client({ connection, namespace: flag('namespace') ?? config.TEMPORAL_NAMESPACE, ...temporalClientOptions(config) }) : undefined;
    const subscriber = flag('subscriber');
    const webhookDeliveries = subscriber ? await subscriberDeliveries(`${simulatorUrl}/v1/subscribers/${subscriber}/deliveries`) : undefined;
    const report = await checkInvariants({ databaseUrl, simulatorUrl, temporal, webhookDeliveries });
    console.log(formatReport(report));
    return report.violations.length === 0 ? 0 : 1;
  } finally {
    await connection?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`the check could not run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);

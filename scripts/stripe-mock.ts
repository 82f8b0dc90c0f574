// Prints the path of stripe-mock, building the pinned release into .tools/ when there is none.
// With `serve`, also starts it on a free loopback port and prints STRIPE_API_BASE for it (Ctrl-C stops it).
import { ensureStripeMock, startStripeMock } from '../devtools/stripe-mock';

async function main() {
  const binary = ensureStripeMock();
  process.stdout.write(binary + '\n');
  if (process.argv[2] !== 'serve') return;
  const running = await startStripeMock(binary);
  process.stdout.write(`stripe-mock listening: STRIPE_API_BASE=${running.url}\n`);
  const stop = () => void running.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write((err instanceof Error ? err.message : String(err)) + '\n');
  process.exit(1);
});

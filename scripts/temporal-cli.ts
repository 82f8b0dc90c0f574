// Prints the path of the Temporal CLI, building the pinned release into .tools/ when there is none.
import { ensureTemporalCli } from '../devtools/temporal-cli';

try {
  process.stdout.write(ensureTemporalCli() + '\n');
} catch (err) {
  process.stderr.write((err instanceof Error ? err.message : String(err)) + '\n');
  process.exit(1);
}

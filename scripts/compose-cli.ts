// Makes sure `docker compose` (or a standalone build of it in .tools/) is there to check docker-compose.yml.
import { ensureComposeCli } from '../devtools/compose-cli';

const compose = ensureComposeCli();
process.stdout.write(compose ? `${[compose.command, ...compose.args].join(' ')}\n` : 'docker compose unavailable\n');

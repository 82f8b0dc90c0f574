// Creates the database when missing and applies pending migrations (`npm run migrate`).
import { loadConfigOrExit } from '../src/config';
import { ensureDatabase } from '../src/db/ensure-database';
import { migrate } from '../src/db/migrate';
import { initOrm } from '../src/db/orm';

async function main() {
  const config = loadConfigOrExit();
  const { created } = await ensureDatabase(config.DATABASE_URL);
  if (created) console.log(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
  const orm = await initOrm(config);
  try {
    const applied = await migrate(orm);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database schema is up to date');
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  console.error(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

// Creates the database when missing and applies pending migrations (`npm run migrate`, the compose `migrate` service).
import { loadConfigOrExit } from '../src/config';
import { databaseName, migrateDatabase } from '../src/db/migrate';

async function main() {
  const config = loadConfigOrExit();
  const { created, applied } = await migrateDatabase(config.DATABASE_URL);
  if (created) console.log(`created database ${databaseName(config.DATABASE_URL)}`);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database schema is up to date');
}

main().catch((err) => {
  console.error(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

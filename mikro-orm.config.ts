// The MikroORM CLI's entry (npx mikro-orm …). The service itself builds its options in src/db/orm-options.ts.
import { loadConfig } from './src/config';
import { ormOptions } from './src/db/orm-options';

export default ormOptions(loadConfig());

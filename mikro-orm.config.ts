// The MikroORM CLI's entry (npx mikro-orm …). The service itself builds its options in src/db/orm.ts.
import { loadConfig } from './src/config';
import { ormOptions } from './src/db/orm';

export default ormOptions(loadConfig());

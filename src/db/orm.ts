import { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { ormOptions } from './orm-options';

export type Orm = MikroORM;

export function initOrm(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>): Promise<Orm> {
  return MikroORM.init(ormOptions(config));
}

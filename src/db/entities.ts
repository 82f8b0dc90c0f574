import type { EntitySchema } from '@mikro-orm/core';
import { catalogEntities } from '../catalog/entities';
import { orderEntities } from '../orders/entities';

/**
 * Every entity the ORM knows. Each feature module exports its EntitySchemas and lists them here.
 * The schema itself is owned by the SQL migrations in migrations/, never by schema:update.
 */
export const entities: EntitySchema<any, any>[] = [...catalogEntities, ...orderEntities];

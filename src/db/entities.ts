import type { EntitySchema } from '@mikro-orm/core';

/**
 * Every entity the ORM knows. Each feature module exports its EntitySchemas and lists them here.
 * The schema itself is owned by the SQL migrations in migrations/, never by schema:update.
 */
export const entities: EntitySchema<any, any>[] = [];

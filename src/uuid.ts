/**
 * PostgreSQL's uuid input format (any version). Checked before a value reaches SQL, so a malformed id is a
 * clean "not found"/validation error instead of a cast failure (22P02) surfacing as a 500.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);


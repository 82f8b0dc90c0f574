/**
 * A PostgreSQL array literal (`{"a","b"}`) for a list bound as one parameter: the ORM's raw queries expand a
 * JavaScript array into a list of parameters (`?, ?`), which `?::text[]` cannot take.
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/**
 * The SQL text a query span may carry: the statement with its literal values replaced by `?`. The ORM inlines values
 * into some statements (customer emails, notification recipients, amounts), and a trace backend is no place for
 * personal data; the statement's shape is what an engineer needs to find a slow query.
 */
export function sqlWithoutLiterals(sql: string): string {
  return sql
    .replace(/[Ee]?'(?:[^']|'')*'/g, '?') // string literals, '' escapes included
    .replace(/(?<![\w$.])\d+(?:\.\d+)?(?![\w.])/g, '?'); // numbers, but not $1 placeholders or names like t0
}

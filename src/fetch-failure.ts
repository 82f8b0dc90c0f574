/**
 * What a failed outbound request says, for log lines and error messages. Shared by every outbound HTTP client: the
 * keep-alive node:http client (src/keep-alive-client.ts) of the provider clients, the relay and the simulator's
 * webhook sender, and the Stripe adapter (fetch).
 */

/**
 * Name and message of a thrown value, read structurally: the timeout is a DOMException, which is not an
 * `instanceof Error` in every realm (jest's vm contexts, for one).
 */
export function describeThrown(err: unknown): { name: string; message: string } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; message?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : '',
    message: typeof e.message === 'string' ? e.message : String(err),
  };
}

/** fetch reports every connection problem as "fetch failed"; the useful part (ECONNREFUSED…) is its cause. */
export function transportReason(err: unknown): string {
  const { message } = describeThrown(err);
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause === undefined ? message : `${message} (${describeThrown(cause).message})`;
}

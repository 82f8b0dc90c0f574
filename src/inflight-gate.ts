/**
 * A cap on work in flight in this process that refuses instead of queueing: tryEnter() returns a release function
 * while fewer than `limit` are inside, undefined when full. Unlike concurrencyLimit() (which makes callers wait),
 * this is for load shedding: a request turned away at once is cheaper for everybody than one that waits in a queue.
 */
export interface InflightGate {
  tryEnter(): (() => void) | undefined;
  readonly inFlight: number;
  readonly limit: number;
}

export function inflightGate(limit: number): InflightGate {
  let inFlight = 0;
  return {
    limit,
    get inFlight() {
      return inFlight;
    },
    tryEnter() {
      if (inFlight >= limit) return undefined;
      inFlight++;
      let released = false;
      return () => {
        if (released) return; // releasing twice must not open a second place
        released = true;
        inFlight--;
      };
    },
  };
}

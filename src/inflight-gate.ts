/**
 * A cap on work in flight in this process that refuses instead of queueing: tryEnter() returns a release function
 * while fewer than `limit` are inside, undefined when full. Unlike concurrencyLimit() (which makes callers wait),
 * this is for load shedding: a request turned away at once is cheaper for everybody than one that waits in a queue.
 */
export interface InflightGate {
  tryEnter(): (() => void) | undefined;
  readonly inFlight: number;
  /** The cap now (an adaptive gate's changes with the rate it measures). */
  readonly limit: number;
}

/** A fixed cap. */
export function inflightGate(limit: number): InflightGate {
  return gateWith(() => limit);
}

export interface AdaptiveGateOptions {
  /** The cap never goes below this: an idle or cold process still admits a burst of this size. */
  min: number;
  /** Nor above this. */
  max: number;
  /** How long a placement may take and still be answered as decided (PLACEMENT_DEADLINE). */
  deadlineMs: number;
  /** The window over which completions are counted. */
  windowMs?: number;
  now?: () => number;
}

/**
 * A cap sized from what the system sustains, by Little's law: when placements complete at X per second and each may
 * take up to the deadline D, X·D in flight keeps every one of them within D; more than that only makes a queue that
 * grows while the throughput stays X. X is the completions of the last `windowMs`, so a steady rate that a
 * momentary stall (a Temporal hiccup, a GC pause) slows for a few seconds is not shed, and a real overload is.
 */
export function adaptiveInflightGate(options: AdaptiveGateOptions): InflightGate {
  const { min, max, deadlineMs, windowMs = 10_000, now = Date.now } = options;
  const bucketMs = 1000;
  const buckets = Math.max(1, Math.ceil(windowMs / bucketMs));
  // Completions per one-second bucket, in a ring; `stamps` says which second each slot holds.
  const counts = new Array<number>(buckets).fill(0);
  const stamps = new Array<number>(buckets).fill(-1);
  const completed = () => {
    const second = Math.floor(now() / bucketMs);
    const slot = second % buckets;
    if (stamps[slot] !== second) {
      stamps[slot] = second;
      counts[slot] = 0;
    }
    counts[slot]++;
  };
  const limit = () => {
    const second = Math.floor(now() / bucketMs);
    let total = 0;
    for (let i = 0; i < buckets; i++) if (stamps[i] > second - buckets) total += counts[i];
    const perSecond = total / (buckets * (bucketMs / 1000));
    return Math.min(max, Math.max(min, Math.ceil((perSecond * deadlineMs) / 1000)));
  };
  return gateWith(limit, completed);
}

function gateWith(limit: () => number, onRelease?: () => void): InflightGate {
  let inFlight = 0;
  return {
    get limit() {
      return limit();
    },
    get inFlight() {
      return inFlight;
    },
    tryEnter() {
      if (inFlight >= limit()) return undefined;
      inFlight++;
      let released = false;
      return () => {
        if (released) return; // releasing twice must not open a second place
        released = true;
        inFlight--;
        onRelease?.();
      };
    },
  };
}

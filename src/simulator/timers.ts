/**
 * Every timer the simulator starts (webhook delays, retries, settlements) goes through one TimerSet, so close()
 * can cancel them all: the process then shuts down promptly and jest exits without open handles.
 */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Runs `fn` after `ms`; returns a cancel function. A no-op once the set is closed. */
  after(ms: number, fn: () => void): () => void {
    if (this.closed) return () => undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        fn();
      } catch (err) {
        // A throwing callback must not crash the process (there is no caller to catch it).
        this.onError(err);
      }
    }, ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  get size(): number {
    return this.timers.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Cancels every pending timer and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

import { CancellationScope, log } from '@temporalio/workflow';
import type { CompensationStep } from './state-machine';

export interface Compensation {
  /** Shown in the order's history as `compensation_failed:<name>` when it fails. */
  name: CompensationStep;
  run: () => Promise<unknown>;
}

/**
 * The saga's undo list. A compensation is pushed *before* its step is attempted, so a step that was cut short
 * (cancelled, timed out after the provider acted) is undone too; every compensation is therefore written to be
 * harmless when its step never took effect.
 */
export class CompensationStack {
  private pending: Compensation[] = [];
  /** The compensations that failed on the last run, oldest first: what an operator's retry runs again. */
  failed: CompensationStep[] = [];

  constructor(private readonly orderId: string) {}

  push(compensation: Compensation): void {
    this.pending.push(compensation);
  }

  /** What is pending waits for an operator's retry (its step was found undone after the fact), as if it had failed. */
  holdForOperator(): void {
    this.failed = this.pending.map((c) => c.name);
  }

  /** A later step made this compensation meaningless (a committed sale has no reservation left to release). */
  retire(name: CompensationStep): void {
    this.pending = this.pending.filter((c) => c.name !== name);
  }

  /**
   * Runs what is left, newest first, in a scope that cancellation cannot interrupt. Each one that succeeds is done
   * for good; the ones that fail stay for the next run. True when nothing is left.
   */
  async run(): Promise<boolean> {
    await CancellationScope.nonCancellable(async () => {
      for (const compensation of [...this.pending].reverse()) {
        try {
          await compensation.run();
          this.pending = this.pending.filter((c) => c !== compensation);
        } catch (err) {
          log.error('compensation failed after its retries', { orderId: this.orderId, step: compensation.name, error: describeError(err) });
        }
      }
    });
    this.failed = this.pending.map((c) => c.name);
    return this.pending.length === 0;
  }
}

export function describeError(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  if (err instanceof Error && cause instanceof Error) return `${err.message}: ${cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

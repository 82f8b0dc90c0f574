/**
 * Waits for `work` at most `ms`. The work is not cancelled when the time is up: it goes on, and its outcome is
 * still observed (so a later rejection is never unhandled); `onLate` hears about it if given.
 */
export async function withinDeadline<T>(
  work: Promise<T>,
  ms: number,
  onLate?: (outcome: PromiseSettledResult<T>) => void,
): Promise<{ inTime: true; value: T } | { inTime: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<{ inTime: false }>((resolve) => {
    timer = setTimeout(() => resolve({ inTime: false }), ms);
  });
  try {
    const result = await Promise.race([work.then((value) => ({ inTime: true as const, value })), timeUp]);
    if (!result.inTime) {
      work.then(
        (value) => onLate?.({ status: 'fulfilled', value }),
        (reason: unknown) => onLate?.({ status: 'rejected', reason }),
      );
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

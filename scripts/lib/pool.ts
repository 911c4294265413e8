/**
 * Bounded concurrency: at most N tasks in flight, for sending many callbacks without flooding the receiver.
 */

/** Runs `task(0)` … `task(count - 1)` with at most `concurrency` running at once; resolves when all settle. */
export async function runBounded(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker);
  await Promise.all(workers);
}

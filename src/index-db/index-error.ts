/**
 * The one error the index's functions throw: which operation failed, with D1's error as its cause.
 */

/** A D1 read or write of the message index failed (D1 unavailable, a limit, a broken schema). */
export class IndexError extends Error {
  override name = "IndexError";
  /** What was being done, e.g. `writeMessage`. */
  readonly operation: string;

  /** @param operation what was being done; @param cause D1's error. */
  constructor(operation: string, cause: unknown) {
    super(`message index: ${operation} failed`, { cause });
    this.operation = operation;
  }
}

/** Runs `work`, turning any failure into an {@link IndexError} naming `operation`. */
export async function indexOperation<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof IndexError ? error : new IndexError(operation, error);
  }
}

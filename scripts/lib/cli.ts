/**
 * Command-line plumbing shared by `npm run dev` and `npm run send`: option values checked into numbers, and
 * the usage exit (status 2) for anything the command does not understand.
 */

/** A command-line mistake: the message is printed with the usage and the process exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `value` as an integer in [min, max], or a {@link UsageError} naming `option`. */
export function integerOption(option: string, value: string, min: number, max: number): number {
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${option} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return number;
}

/** `value` as a TCP port (1–65535), or a {@link UsageError} naming `option`. */
export function portOption(option: string, value: string): number {
  return integerOption(option, value, 1, 65_535);
}

/**
 * Runs `main`; a {@link UsageError} (or an option error from node:util `parseArgs`) prints the message and
 * `usage` to stderr and exits 2; any other error prints it and exits 1.
 */
export async function runCommand(usage: string, main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    const parseError =
      error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS");
    if (error instanceof UsageError || parseError) {
      process.stderr.write(`${(error as Error).message}\n\n${usage}`);
      code = 2;
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      code = 1;
    }
  }
  process.exit(code);
}

/**
 * Whether the bench's metering is on: the variable BENCH_METERING = "on", given only by the bench (`--var`),
 * never set in wrangler.toml. Read by name, like DESTINATIONS in src/config.ts, since `wrangler types` does not
 * know it.
 */

/** Whether `env` turns metering on. */
export function meteringEnabled(env: unknown): boolean {
  return (env as { BENCH_METERING?: unknown } | undefined)?.BENCH_METERING === "on";
}

/**
 * Waiting for the receiver to come up: polls `GET /healthz` until it answers, and reads what it says about
 * the configuration (problems by setting name, never values).
 */

/** What `/healthz` reported. */
export interface Health {
  version: string;
  configured: boolean;
  /** `SETTING: problem` for each configuration problem. */
  problems: string[];
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** Reads a `/healthz` body; undefined when it is not one. Pure. */
export function readHealth(body: unknown): Health | undefined {
  const configured = field(body, "configured");
  if (typeof configured !== "boolean") return undefined;
  const problems = field(body, "problems");
  return {
    version: String(field(body, "version") ?? "?"),
    configured,
    problems: Array.isArray(problems)
      ? problems.map(
          (problem) => `${String(field(problem, "setting"))}: ${String(field(problem, "problem"))}`,
        )
      : [],
  };
}

/**
 * Polls `<baseUrl>/healthz` every 250 ms until it answers with a health body, and returns it. Gives up (with
 * undefined) when `alive()` turns false or after `timeoutMs`.
 */
export async function waitForHealth(
  baseUrl: string,
  alive: () => boolean,
  timeoutMs: number,
): Promise<Health | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      const health = readHealth(await response.json());
      if (health) return health;
    } catch {
      // not listening yet, or still starting
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

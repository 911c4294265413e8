/**
 * What the receiver says about itself: `GET /healthz`, read as its version and its configuration problems (by
 * setting name, never values).
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

/** GET `<baseUrl>/healthz` and what it reports; undefined when the answer is not a health body. */
export async function fetchHealth(baseUrl: string): Promise<Health | undefined> {
  const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return readHealth(await response.json());
}

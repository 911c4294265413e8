/**
 * DATA_JURISDICTION: the jurisdiction (`eu`, `fedramp`) every Durable Object of the deployment is created in.
 * Applied once per entry point (the Worker's fetch, each object's constructor) by replacing every Durable Object
 * namespace of the environment with its jurisdictional namespace, so that no route or object can reach an
 * object outside it: every `getByName` in src/ goes through the namespace it was handed.
 */

/** The jurisdictions DATA_JURISDICTION accepts. */
export const DATA_JURISDICTIONS = ["eu", "fedramp"] as const;

/** A jurisdiction DATA_JURISDICTION accepts. */
export type DataJurisdiction = (typeof DATA_JURISDICTIONS)[number];

/** DATA_JURISDICTION read: none (unset or empty), a jurisdiction, or invalid. */
export type JurisdictionSetting = { ok: true; jurisdiction?: DataJurisdiction } | { ok: false };

/** Reads DATA_JURISDICTION; an invalid value is a configuration problem (src/config.ts names it). */
export function readJurisdiction(value: string | undefined): JurisdictionSetting {
  const trimmed = (value ?? "").trim();
  if (trimmed === "") return { ok: true };
  const known = DATA_JURISDICTIONS.find((jurisdiction) => jurisdiction === trimmed);
  return known ? { ok: true, jurisdiction: known } : { ok: false };
}

/**
 * The Durable Object namespace bindings (wrangler.toml's `[[durable_objects.bindings]]`). Listed rather than
 * detected: a service or RPC binding answers any property as a remote method, `jurisdiction` included.
 * test/jurisdiction checks that this list names every namespace of the environment.
 */
export const OBJECT_BINDINGS = [
  "MESSAGE_TRACKER",
  "DEAD_LETTERS",
  "QUARANTINE_LIST",
  "DESTINATION_HEALTH",
  "REPLAY_JOB",
] as const satisfies readonly (keyof Env)[];

const scoped = new WeakMap<Env, Env>();

/**
 * `env` with every Durable Object namespace replaced by its DATA_JURISDICTION namespace; `env` itself when the
 * setting is empty or invalid (an invalid one makes every route answer 503). The same object for the same `env`,
 * so that what is cached per environment (the configuration) stays cached.
 */
export function inJurisdiction(env: Env): Env {
  const setting = readJurisdiction(env.DATA_JURISDICTION);
  if (!setting.ok || !setting.jurisdiction) return env;
  const cached = scoped.get(env);
  if (cached) return cached;
  const jurisdiction = setting.jurisdiction;
  const result: Env = { ...env };
  for (const name of OBJECT_BINDINGS) {
    (result as unknown as Record<string, unknown>)[name] = env[name].jurisdiction(jurisdiction);
  }
  scoped.set(env, result);
  return result;
}

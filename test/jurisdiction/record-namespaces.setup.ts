/**
 * Stands in for `DurableObjectNamespace.prototype.jurisdiction` (workerd throws "not implemented") with a
 * namespace that reaches the same local objects and records the call, and records every `getByName`,
 * `idFromName`, `idFromString`, `newUniqueId` and `get` made on a namespace directly: with DATA_JURISDICTION set,
 * the receiver must make none of those. Patched on the shared prototype, so the objects' own environments see it.
 */
import { env } from "cloudflare:workers";

/** One way an object was reached: through `jurisdiction` (`scoped`) or directly (`direct`). */
export interface ObjectAccess {
  binding: string;
  jurisdiction?: string;
  method: string;
}

/** What the receiver did, while `recording` is on. */
export const objectAccess = { recording: false, scoped: [] as ObjectAccess[], direct: [] as ObjectAccess[] };

const METHODS = ["getByName", "idFromName", "idFromString", "newUniqueId", "get"] as const;
type Method = (typeof METHODS)[number];
type Namespace = Record<Method, (...args: unknown[]) => unknown>;

const names = new Map<unknown, string>();
for (const [binding, value] of Object.entries(env)) {
  if (typeof (value as { getByName?: unknown }).getByName === "function") names.set(value, binding);
}
const prototype = Object.getPrototypeOf(env.MESSAGE_TRACKER) as Namespace & {
  jurisdiction(jurisdiction: string): Namespace;
};
const original = Object.fromEntries(METHODS.map((method) => [method, prototype[method]])) as Namespace;

for (const method of METHODS) {
  prototype[method] = function direct(this: Namespace, ...args: unknown[]) {
    if (objectAccess.recording) objectAccess.direct.push({ binding: names.get(this) ?? "unknown", method });
    return original[method].apply(this, args);
  };
}

prototype.jurisdiction = function scopedNamespace(this: Namespace, jurisdiction: string): Namespace {
  const binding = names.get(this) ?? "unknown";
  const scoped = {} as Namespace & { jurisdiction(): never };
  for (const method of METHODS) {
    scoped[method] = (...args: unknown[]) => {
      if (objectAccess.recording) objectAccess.scoped.push({ binding, jurisdiction, method });
      return original[method].apply(this, args);
    };
  }
  scoped.jurisdiction = () => {
    throw new Error("a jurisdictional namespace has no jurisdiction()");
  };
  return scoped;
};

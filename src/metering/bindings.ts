/**
 * Counting what the Worker and its objects ask of their bindings: Durable Object requests (each method call or
 * fetch on a stub, by binding name), D1 rows (`meta` of `run`, `all` and `batch` results), queue messages, R2
 * operations by class, and outbound `fetch`es. Installed once per isolate on the bindings' shared prototypes and
 * on the global `fetch`, found from the first metered `env`.
 */
import { count, countFor } from "./counts.ts";

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Target = Record<string | symbol, unknown>;

const patched = new WeakSet<object>();
const metered = new WeakSet<object>();
const namespaceNames = new WeakMap<object, string>();
const stubs = new WeakSet<object>();
/** Stub properties that are not requests: promise probing and the stub's own handle operations. */
const NOT_REQUESTS = new Set(["then", "dup", "id", "name", "toJSON", "constructor"]);
let fetchPatched = false;

function has(value: unknown, ...methods: string[]): value is Target {
  return (
    typeof value === "object" &&
    value !== null &&
    methods.every((method) => typeof (value as Target)[method] === "function")
  );
}

/** Wraps method `name` of `proto`: `after(result, args)` sees what the original returned (awaited if a promise). */
function wrap(proto: object, name: string, after: (result: unknown, args: unknown[]) => void): void {
  const original = (proto as Target)[name];
  if (typeof original !== "function") return;
  Object.defineProperty(proto, name, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]) {
      const result = (original as Method).apply(this, args);
      if (result instanceof Promise) {
        return result.then((value: unknown) => {
          after(value, args);
          return value;
        });
      }
      after(result, args);
      return result;
    },
  });
}

function once(proto: object | null, install: (proto: object) => void): void {
  if (proto === null || patched.has(proto)) return;
  patched.add(proto);
  install(proto);
}

/** A stub whose method calls count as requests of `binding`. */
function countingStub(stub: object, binding: string): object {
  if (stubs.has(stub)) return stub;
  const proxy = new Proxy(stub as Target, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof property !== "string" || typeof value !== "function" || NOT_REQUESTS.has(property)) {
        return value;
      }
      return (...args: unknown[]) => {
        countFor("objectRequests", binding);
        return Reflect.apply(value as Method, target, args);
      };
    },
  });
  stubs.add(proxy);
  return proxy;
}

function meterNamespace(namespace: Target, binding: string): void {
  namespaceNames.set(namespace, binding);
  once(Object.getPrototypeOf(namespace) as object, (proto) => {
    for (const name of ["get", "getByName"]) {
      const original = (proto as Target)[name];
      if (typeof original !== "function") continue;
      Object.defineProperty(proto, name, {
        configurable: true,
        writable: true,
        value: function (this: object, ...args: unknown[]) {
          const stub = (original as Method).apply(this, args) as object;
          return countingStub(stub, namespaceNames.get(this) ?? "unknown");
        },
      });
    }
  });
}

function rowsOf(result: unknown): void {
  const meta = (result as { meta?: { rows_written?: unknown; rows_read?: unknown } } | null)?.meta;
  count("d1Statements");
  if (typeof meta?.rows_written === "number") count("d1RowsWritten", meta.rows_written);
  if (typeof meta?.rows_read === "number") count("d1RowsRead", meta.rows_read);
}

function meterD1(db: Target): void {
  once(Object.getPrototypeOf(db) as object, (proto) => {
    wrap(proto, "batch", (results) => {
      if (Array.isArray(results)) for (const result of results) rowsOf(result);
    });
  });
  const statement = (db.prepare as Method).call(db, "SELECT 1") as object;
  once(Object.getPrototypeOf(statement) as object, (proto) => {
    wrap(proto, "run", rowsOf);
    wrap(proto, "all", rowsOf);
    wrap(proto, "first", () => count("d1Statements"));
    wrap(proto, "raw", () => count("d1Statements"));
  });
}

function meterQueue(queue: Target): void {
  once(Object.getPrototypeOf(queue) as object, (proto) => {
    wrap(proto, "send", () => count("queueMessages"));
    // The receiver passes arrays; another iterable was consumed by the call and counts as one message.
    wrap(proto, "sendBatch", (_result, args) =>
      count("queueMessages", Array.isArray(args[0]) ? args[0].length : 1),
    );
  });
}

function meterR2(bucket: Target): void {
  once(Object.getPrototypeOf(bucket) as object, (proto) => {
    for (const name of ["put", "list", "createMultipartUpload"]) wrap(proto, name, () => count("r2ClassA"));
    for (const name of ["get", "head"]) wrap(proto, name, () => count("r2ClassB"));
    wrap(proto, "resumeMultipartUpload", (upload) => meterUpload(upload));
    wrap(proto, "createMultipartUpload", (upload) => meterUpload(upload));
  });
}

function meterUpload(upload: unknown): void {
  if (typeof upload !== "object" || upload === null) return;
  once(Object.getPrototypeOf(upload) as object, (proto) => {
    for (const name of ["uploadPart", "complete"]) wrap(proto, name, () => count("r2ClassA"));
  });
}

/** Counts outbound `fetch`es from now on (once per isolate). */
function meterFetch(): void {
  if (fetchPatched) return;
  fetchPatched = true;
  const original = globalThis.fetch;
  globalThis.fetch = function fetch(input, init) {
    count("subrequests");
    return original(input, init);
  } as typeof globalThis.fetch;
}

/** Starts counting the operations of every binding in `env` (and of every other of the same kinds). */
export function meterBindings(env: object): void {
  if (metered.has(env)) return;
  metered.add(env);
  meterFetch();
  for (const [name, binding] of Object.entries(env)) {
    if (has(binding, "idFromName", "get")) meterNamespace(binding, name);
    else if (has(binding, "prepare", "batch")) meterD1(binding);
    else if (has(binding, "send", "sendBatch")) meterQueue(binding);
    else if (has(binding, "put", "get", "head", "createMultipartUpload")) meterR2(binding);
  }
}

/**
 * Counting Durable Object storage writes as Cloudflare bills SQLite-backed objects: the `rowsWritten` and
 * `rowsRead` of every `sql.exec` cursor, one row per `setAlarm`/`deleteAlarm`, one per key of the KV API's
 * `put`/`delete` (asynchronous, and the synchronous `ctx.storage.kv`). Installed once per isolate on the runtime's shared prototypes (SqlStorage,
 * DurableObjectStorage), so every object of every class is counted without touching its code.
 */
import { count } from "./counts.ts";

type Method = (this: unknown, ...args: unknown[]) => unknown;
interface Cursor {
  rowsWritten: number;
  rowsRead: number;
}

const patched = new WeakSet<object>();
/**
 * The table in which `wrangler dev` (miniflare) records the name of every object reached with `getByName`, in
 * that object's own database: three rows written per new object there, none in production.
 */
const LOCAL_NAME_TABLE = "__miniflare_do_name";
let unsettled: Cursor[] = [];

/**
 * Reads the counts of the cursors opened since the last settle. A cursor's counts grow while it is iterated, so
 * they are read after the code that opened it ran to its end (a microtask later): by then `toArray`, `one` or a
 * `for … of` over it has finished. Writes happen at the first step, before any iteration.
 */
export function settleCursors(): void {
  const cursors = unsettled;
  unsettled = [];
  for (const cursor of cursors) {
    try {
      count("sqlRowsWritten", cursor.rowsWritten);
      count("sqlRowsRead", cursor.rowsRead);
    } catch {
      // a cursor of an object that was reset: its rows are lost to the count, not to the object
    }
  }
}

/** Replaces `name` on `proto` with a wrapper that calls `before(args)` and then the original. */
function wrap(proto: object, name: string, before: (args: unknown[]) => void): void {
  const original = (proto as Record<string, unknown>)[name];
  if (typeof original !== "function") return;
  Object.defineProperty(proto, name, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]) {
      before(args);
      return (original as Method).apply(this, args);
    },
  });
}

function keysIn(first: unknown): number {
  if (Array.isArray(first)) return first.length;
  if (typeof first === "object" && first !== null) return Object.keys(first).length;
  return 1;
}

/** Counts SQL rows of `sql.exec`, wrapping SqlStorage's prototype once. */
function meterSql(sql: object): void {
  const proto = Object.getPrototypeOf(sql) as object;
  if (patched.has(proto)) return;
  patched.add(proto);
  const exec = (proto as { exec: Method }).exec;
  Object.defineProperty(proto, "exec", {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]) {
      const cursor = exec.apply(this, args) as Cursor;
      // Miniflare's own table of object names (local development only, not in production): not billed.
      if (String(args[0]).includes(LOCAL_NAME_TABLE)) return cursor;
      count("sqlStatements");
      if (unsettled.push(cursor) === 1) queueMicrotask(settleCursors);
      return cursor;
    },
  });
}

/** Starts counting the storage operations of every object that shares `storage`'s prototypes. */
export function meterStorage(storage: DurableObjectStorage): void {
  meterSql(storage.sql);
  const proto = Object.getPrototypeOf(storage) as object;
  if (patched.has(proto)) return;
  patched.add(proto);
  wrap(proto, "setAlarm", () => count("alarmWrites"));
  wrap(proto, "deleteAlarm", () => count("alarmWrites"));
  wrap(proto, "deleteAll", () => count("deleteAlls"));
  // put(key, value) or put({ key: value, … }); delete(key) or delete([keys]).
  wrap(proto, "put", (args) => count("kvRowsWritten", typeof args[0] === "string" ? 1 : keysIn(args[0])));
  wrap(proto, "delete", (args) => count("kvRowsWritten", keysIn(args[0])));
  meterSyncKv(storage.kv);
}

/** Counts the synchronous KV API (`ctx.storage.kv`): one row written per `put` or `delete` of a key. */
function meterSyncKv(kv: object | undefined): void {
  if (!kv) return;
  const proto = Object.getPrototypeOf(kv) as object;
  if (patched.has(proto)) return;
  patched.add(proto);
  wrap(proto, "put", () => count("kvRowsWritten"));
  wrap(proto, "delete", () => count("kvRowsWritten"));
}

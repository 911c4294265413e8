/**
 * Durable Object classes under the bench's metering: every method of a class's own prototype (its RPC methods,
 * `fetch`, `alarm` and helpers) is wrapped once, at module load, by a function that, with metering off, only checks
 * `this.env` and calls the original. With it on, it installs the storage, binding and console counters (once per
 * isolate), counts alarm invocations, and adds up the wall time during which an instance had a handler running
 * (the basis of Durable Object duration). A method that returned synchronously still does; a promise stays a
 * promise.
 */
import { meterBindings } from "./bindings.ts";
import { meterConsole } from "./console.ts";
import { countFor } from "./counts.ts";
import { meteringEnabled } from "./enabled.ts";
import { meterStorage } from "./storage.ts";

type Method = (this: MeteredInstance, ...args: unknown[]) => unknown;
interface MeteredInstance {
  env?: unknown;
  ctx?: { storage?: DurableObjectStorage };
}
/** A Durable Object class (its constructor: only its prototype is used). */
type ObjectClass = abstract new (...args: never[]) => object;

const active = new WeakMap<object, { depth: number; since: number }>();
const installed = new WeakSet<object>();

function enter(instance: MeteredInstance): void {
  const state = active.get(instance) ?? { depth: 0, since: 0 };
  if (state.depth === 0) state.since = Date.now();
  state.depth++;
  active.set(instance, state);
}

function leave(instance: MeteredInstance, className: string): void {
  const state = active.get(instance);
  if (!state) return;
  state.depth--;
  if (state.depth === 0) countFor("objectActiveMs", className, Date.now() - state.since);
}

function install(instance: MeteredInstance): void {
  if (installed.has(instance)) return;
  installed.add(instance);
  if (instance.ctx?.storage) meterStorage(instance.ctx.storage);
  if (typeof instance.env === "object" && instance.env !== null) meterBindings(instance.env);
  meterConsole();
}

function metered(original: Method, name: string, className: string): Method {
  return function (this: MeteredInstance, ...args: unknown[]) {
    if (!meteringEnabled(this.env)) return original.apply(this, args);
    install(this);
    if (name === "alarm") countFor("alarms", className);
    enter(this);
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      leave(this, className);
      throw error;
    }
    if (result instanceof Promise) return result.finally(() => leave(this, className));
    leave(this, className);
    return result;
  };
}

/** Wraps the methods of each class (keyed by class name) for the bench's metering; idempotent. */
export function meterObjectClasses(classes: Record<string, ObjectClass>): void {
  for (const [className, objectClass] of Object.entries(classes)) {
    const proto = objectClass.prototype as Record<string, unknown>;
    if (installed.has(proto)) continue;
    installed.add(proto);
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name === "constructor" || typeof descriptor?.value !== "function") continue;
      Object.defineProperty(proto, name, {
        ...descriptor,
        value: metered(descriptor.value as Method, name, className),
      });
    }
  }
}

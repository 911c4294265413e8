/**
 * JSON text as a sender may write it: any key order, any whitespace between tokens, and numbers spelled in ways
 * JSON.stringify never produces (`-0`, `1e309`, `1e-400`, `1.0`), so that the receiver's parser sees them;
 * and a body streamed without a declared length.
 */
import fc from "fast-check";
import { seededRandom } from "../helpers/random.ts";

/** A number written into the JSON text exactly as `text`. */
export class RawNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toJSON(): string {
    return `RawNumber(${this.text})`;
  }
}

/** How a document is laid out: the whitespace between tokens and a seed for the key order. */
export interface Layout {
  gap: string;
  keySeed: number;
}

/** Any layout: whitespace of several kinds between tokens, keys in any order (seed 0: insertion order). */
export const layoutArb: fc.Arbitrary<Layout> = fc.record({
  gap: fc.constantFrom("", " ", "\n", "\t", "\r\n  "),
  keySeed: fc.nat(),
});

/** Compact, keys in insertion order: what JSON.stringify writes. */
export const COMPACT: Layout = { gap: "", keySeed: 0 };

/** Sets `key` as an own enumerable property, even `__proto__`, which plain assignment would turn into a prototype. */
export function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Writes `value` as JSON text with `layout`. */
export function toJsonText(value: unknown, layout: Layout = COMPACT): string {
  const random = seededRandom(layout.keySeed);
  const write = (item: unknown): string => {
    if (item instanceof RawNumber) return item.text;
    if (Array.isArray(item)) {
      return `[${layout.gap}${item.map(write).join(`,${layout.gap}`)}${layout.gap}]`;
    }
    if (item !== null && typeof item === "object") {
      const keys = Object.keys(item);
      if (layout.keySeed !== 0) shuffle(keys, random);
      const members = keys.map(
        (key) =>
          `${JSON.stringify(key)}${layout.gap}:${layout.gap}${write((item as Record<string, unknown>)[key])}`,
      );
      return `{${layout.gap}${members.join(`,${layout.gap}`)}${layout.gap}}`;
    }
    return JSON.stringify(item) ?? "null";
  };
  return write(value);
}

function shuffle(items: string[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as string, items[i] as string];
  }
}

/** `text` as a stream of 64 KiB chunks: a body without a declared length. */
export function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 64 * 1024));
      offset += 64 * 1024;
    },
  });
}

/**
 * Media files for the fake Bandwidth API (fake-bandwidth.ts): small fixed bodies, and bodies produced lazily
 * chunk by chunk as the client reads them (a 5 MiB file, one just over 5 MiB, an endless one), whose
 * production the tests can watch. Byte i of a lazy body is i % 251, so any copy can be checked.
 */
import { Readable } from "node:stream";

/** 5 MiB: the largest file the receiver copies. */
export const FIVE_MIB = 5 * 1024 * 1024;
/** The chunk a lazy body is produced in. */
export const LAZY_CHUNK_BYTES = 64 * 1024;

/** One media file the fake serves. */
export interface FakeMediaFile {
  contentType: string;
  /** Fixed bytes, or a lazily produced body of `size` bytes (`Infinity`: never ends). */
  body: Buffer | { lazy: number };
  /** Send Content-Length (default true; always false for an endless body). */
  contentLength?: boolean;
  /** Answer a redirect to this URL instead. */
  redirectTo?: string;
}

/** The bytes of a lazy body from `offset`, `length` of them. */
export function lazyBytes(offset: number, length: number): Buffer {
  const chunk = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) chunk[i] = (offset + i) % 251;
  return chunk;
}

/** Counts of what a lazy body produced, per file id. */
export class LazyProduction {
  private readonly produced = new Map<string, number>();

  /** Bytes produced so far for `id` across all requests. */
  of(id: string): number {
    return this.produced.get(id) ?? 0;
  }

  /** A stream of `size` lazy bytes that produces each chunk only when the reader asks for it. */
  stream(id: string, size: number): Readable {
    let offset = 0;
    const count = (length: number) => this.produced.set(id, this.of(id) + length);
    return new Readable({
      highWaterMark: LAZY_CHUNK_BYTES,
      read() {
        if (offset >= size) {
          this.push(null);
          return;
        }
        const length = Math.min(LAZY_CHUNK_BYTES, size - offset);
        const chunk = lazyBytes(offset, length);
        offset += length;
        count(length);
        this.push(chunk);
      },
    });
  }
}

/**
 * A fake of Bandwidth's token endpoint and media host as an injected `fetch`, for the workerd tests (whose own
 * fetches all go to the recording downstream, so they cannot reach harness/fake-bandwidth.ts). Media bodies
 * are produced lazily, one chunk per read, and the fake counts what it produced, so a test can compare it with
 * what R2 has consumed. It honours the request's AbortSignal, as a real fetch does, for the body too.
 */
import { MAX_MEDIA_BYTES } from "../../src/media/keys.ts";

export const FAKE_TOKEN_URL = "https://api.bandwidth.com/api/v1/oauth2/token";
export const FAKE_MEDIA_BASE = "https://messaging.bandwidth.com/api/v2/users/9900000/media";
/** The chunk a lazy body is produced in. */
export const CHUNK_BYTES = 64 * 1024;

/** One media file the fake serves. */
export interface FakeFile {
  contentType?: string;
  /** Fixed bytes, or a lazily produced body of `lazy` bytes (`Infinity`: never ends). */
  body?: Uint8Array;
  lazy?: number;
  /** The Content-Length to declare: the true size by default, `null` for none, or a wrong number. */
  contentLength?: number | null;
  /** Answer this status (and no body) instead. */
  status?: number;
  retryAfter?: string;
  /** Stop producing after this many bytes, without ending (a stalled download). */
  stallAfter?: number;
}

/** Byte i of a lazy body. */
export function lazyByte(i: number): number {
  return i % 251;
}

/** The bytes of a lazy body from `offset`. */
export function lazyChunk(offset: number, length: number): Uint8Array {
  const chunk = new Uint8Array(length);
  for (let i = 0; i < length; i++) chunk[i] = lazyByte(offset + i);
  return chunk;
}

/** A fake Bandwidth reachable only through its `fetch`. */
export class FakeBandwidthFetch {
  readonly files = new Map<string, FakeFile | FakeFile[]>();
  /** Every request: URL and Authorization header. */
  readonly requests: Array<{ url: string; authorization: string | null }> = [];
  /** Bytes produced by lazy bodies so far, per URL. */
  readonly produced = new Map<string, number>();
  /** Called each time a lazy body produces a chunk, with the total produced for that URL. */
  onProduce: (url: string, total: number) => void = () => undefined;
  tokensIssued = 0;

  /** The injected fetch. */
  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    this.requests.push({ url: request.url, authorization: request.headers.get("authorization") });
    if (request.url === FAKE_TOKEN_URL) {
      this.tokensIssued += 1;
      return Response.json({ access_token: `token-${this.tokensIssued}`, expires_in: 3600 });
    }
    if (!request.headers.get("authorization")?.startsWith("Bearer token-"))
      return new Response(null, { status: 401 });
    const scripted = this.files.get(request.url);
    const file = Array.isArray(scripted) ? (scripted.length > 1 ? scripted.shift() : scripted[0]) : scripted;
    if (!file) return new Response('{"type":"not-found"}', { status: 404 });
    if (file.status) {
      const headers: Record<string, string> = file.retryAfter ? { "retry-after": file.retryAfter } : {};
      return new Response(null, { status: file.status, headers });
    }
    const size = file.body?.byteLength ?? file.lazy ?? 0;
    const headers = new Headers({ "content-type": file.contentType ?? "application/octet-stream" });
    const declared = file.contentLength === undefined ? size : file.contentLength;
    if (declared !== null && Number.isFinite(declared)) headers.set("content-length", String(declared));
    const body = file.body ?? this.lazyBody(request.url, size, file.stallAfter, request.signal);
    return new Response(body, { headers });
  };

  /** Serves `file` at `url` (or the answers in turn, the last one repeating). */
  serve(url: string, file: FakeFile | FakeFile[]): void {
    this.files.set(url, Array.isArray(file) ? [...file] : file);
  }

  /** How many requests went to `url`. */
  requestCount(url: string): number {
    return this.requests.filter((request) => request.url === url).length;
  }

  private lazyBody(url: string, size: number, stallAfter: number | undefined, signal: AbortSignal) {
    let offset = 0;
    let stalled: ((reason: unknown) => void) | undefined;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (offset >= size) {
            controller.close();
            return;
          }
          if (stallAfter !== undefined && offset >= stallAfter) {
            await new Promise((_, reject) => {
              stalled = reject;
            });
          }
          const length = Math.min(CHUNK_BYTES, size - offset);
          controller.enqueue(lazyChunk(offset, length));
          offset += length;
          this.produced.set(url, (this.produced.get(url) ?? 0) + length);
          this.onProduce(url, this.produced.get(url) ?? 0);
        },
      },
      // Nothing is produced before it is asked for.
      { highWaterMark: 0 },
    );
    signal.addEventListener("abort", () => stalled?.(signal.reason), { once: true });
    return signal.aborted ? null : stream;
  }
}

/** A file of exactly the largest size copied. */
export const FIVE_MIB = MAX_MEDIA_BYTES;

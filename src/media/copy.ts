/**
 * Copying one inbound message's media from Bandwidth to R2 before its event is forwarded (Bandwidth deletes
 * media after 48 h): at most MAX_MEDIA_FILES files of at most MAX_MEDIA_BYTES each, fetched with the API
 * token only from allowed hosts, each body streamed into R2 while it is counted and hashed, never held whole.
 * R2 needs a stream's length up front: with a Content-Length the body goes straight through a
 * FixedLengthStream; without one (rare: chunked answers) it is read once to measure it, then fetched again.
 * Failures are data: `failed` (404, too large, not allowed, over the file limit) or `retry` (5xx, 429,
 * timeouts), which the tracker retries per copy-schedule.ts. Retention deletes the copies.
 */
import type { BandwidthApi } from "../bandwidth/api-client.ts";
import type { ApiFailure } from "../bandwidth/api-result.ts";
import { log } from "../log.ts";
import { MAX_MEDIA_BYTES, MAX_MEDIA_FILES, mediaFileName, mediaKey, mediaPrefix } from "./keys.ts";
import { digestingStream, SizeLimitError, type StreamDigest } from "./stream-digest.ts";

/** One URL of `message.media`, as copied or not; `n` is its position (0-based). */
export type MediaCopy =
  | {
      state: "copied";
      url: string;
      n: number;
      name: string;
      key: string;
      contentType: string;
      size: number;
      sha256: string;
    }
  /** Will not succeed by trying again: 404, too large, a host that is not allowed, over the file limit. */
  | { state: "failed"; url: string; n: number; error: string }
  /** Might succeed later: 5xx, 429 (with its wait), a timeout, a broken stream, refused credentials. */
  | { state: "retry"; url: string; n: number; error: string; retryAfterMs?: number };

/** What copying needs: the API client (it holds the allowed hosts) and the bucket. */
export interface MediaCopyDeps {
  api: BandwidthApi;
  bucket: R2Bucket;
}

/**
 * Copies the media of message `messageId`. With `previous` (an earlier call's result), only its `retry` entries
 * are tried again; the others are kept. Files are copied one after another, so at most one is in flight.
 */
export async function copyMedia(
  input: { messageId: string; urls: readonly string[]; previous?: readonly MediaCopy[] },
  deps: MediaCopyDeps,
): Promise<MediaCopy[]> {
  const copies: MediaCopy[] = [];
  for (const [n, url] of input.urls.entries()) {
    const earlier = input.previous?.[n];
    if (earlier && earlier.url === url && earlier.state !== "retry") {
      copies.push(earlier);
      continue;
    }
    const started = Date.now();
    const copy =
      n >= MAX_MEDIA_FILES
        ? failed(url, n, `over the limit of ${MAX_MEDIA_FILES} files per message`)
        : await copyOne(input.messageId, url, n, deps);
    const size = copy.state === "copied" ? copy.size : undefined;
    const outcome = copy.state === "copied" ? "copied" : `${copy.state}: ${copy.error}`;
    log(copy.state === "copied" ? "info" : "warn", "media_copy", {
      messageId: input.messageId,
      n,
      outcome,
      size,
      latencyMs: Date.now() - started,
    });
    copies.push(copy);
  }
  return copies;
}

/**
 * Deletes a message's copies (retention). With the copies known, exactly their keys (R2 deletes are free);
 * without, every object under the message's prefix (one list, a Class A operation, per 1,000 objects).
 */
export async function deleteMediaCopies(
  bucket: R2Bucket,
  messageId: string,
  copies?: readonly MediaCopy[],
): Promise<number> {
  if (copies) {
    const keys = copies.flatMap((copy) => (copy.state === "copied" ? [copy.key] : []));
    if (keys.length > 0) await bucket.delete(keys);
    return keys.length;
  }
  const prefix = await mediaPrefix(messageId);
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const listing = await bucket.list({ prefix, cursor, limit: 1000 });
    const keys = listing.objects.map((object) => object.key);
    if (keys.length > 0) await bucket.delete(keys);
    deleted += keys.length;
    cursor = listing.truncated ? listing.cursor : undefined;
  } while (cursor);
  return deleted;
}

async function copyOne(messageId: string, url: string, n: number, deps: MediaCopyDeps): Promise<MediaCopy> {
  if (!deps.api.mayReceiveToken(url)) return failed(url, n, "host is not allowed");
  const first = await deps.api.fetchMedia(url);
  if (!first.ok) return fromFailure(url, n, first);
  const name = mediaFileName(url, n);
  const key = await mediaKey(messageId, n, name);
  const contentType = contentTypeOf(first.value);
  const declared = declaredLength(first.value);
  if (declared !== undefined && declared > MAX_MEDIA_BYTES) {
    await first.value.body?.cancel();
    return failed(url, n, `too large: ${declared} bytes, at most ${MAX_MEDIA_BYTES}`);
  }
  let body = first.value.body;
  let length = declared;
  let expected: string | undefined;
  if (length === undefined) {
    const measured = await measure(body);
    if (!measured.ok) return { url, n, ...measured.copy };
    const second = await deps.api.fetchMedia(url);
    if (!second.ok) return fromFailure(url, n, second);
    body = second.value.body;
    length = measured.digest.size;
    expected = measured.digest.sha256;
  }
  const stored = await store(deps.bucket, key, contentType, body, length);
  if (!stored.ok) return { url, n, ...stored.copy };
  if (expected !== undefined && stored.digest.sha256 !== expected) {
    await deps.bucket.delete(key);
    return { state: "retry", url, n, error: "the file changed between two reads" };
  }
  return {
    state: "copied",
    url,
    n,
    name,
    key,
    contentType,
    size: stored.digest.size,
    sha256: stored.digest.sha256,
  };
}

/** Why a file was not copied, before its URL and position are added. */
type CopyFailure =
  | { state: "failed"; error: string }
  | { state: "retry"; error: string; retryAfterMs?: number };

type Streamed = { ok: true; digest: StreamDigest } | { ok: false; copy: CopyFailure };

/** Streams `body` (exactly `length` bytes) into R2 under `key`, hashing it on the way. */
async function store(
  bucket: R2Bucket,
  key: string,
  contentType: string,
  body: ReadableStream<Uint8Array> | null,
  length: number,
): Promise<Streamed> {
  const digesting = digestingStream(MAX_MEDIA_BYTES);
  const fixed = new FixedLengthStream(length);
  const source = body ?? new Blob([]).stream();
  const piped = source.pipeThrough(digesting.stream).pipeTo(fixed.writable);
  const put = bucket.put(key, fixed.readable, { httpMetadata: { contentType } });
  const [pipe, write] = await Promise.allSettled([piped, put]);
  if (pipe.status === "rejected" || write.status === "rejected") {
    await bucket.delete(key).catch(() => undefined);
    const reason = pipe.status === "rejected" ? pipe.reason : (write as PromiseRejectedResult).reason;
    return { ok: false, copy: streamFailure(reason) };
  }
  return { ok: true, digest: await digesting.result };
}

/** Reads `body` through the limit and the hash only, to learn its length (no Content-Length). */
async function measure(body: ReadableStream<Uint8Array> | null): Promise<Streamed> {
  const digesting = digestingStream(MAX_MEDIA_BYTES);
  try {
    await (body ?? new Blob([]).stream()).pipeThrough(digesting.stream).pipeTo(new WritableStream());
    return { ok: true, digest: await digesting.result };
  } catch (error) {
    return { ok: false, copy: streamFailure(error) };
  }
}

function streamFailure(error: unknown): CopyFailure {
  if (error instanceof SizeLimitError) {
    return { state: "failed", error: `too large: more than ${error.limit} bytes` };
  }
  const name = error instanceof Error ? error.name : "error";
  if (name === "TimeoutError" || name === "AbortError") return { state: "retry", error: "timeout" };
  return { state: "retry", error: `copy failed (${name})` };
}

function fromFailure(url: string, n: number, failure: ApiFailure): MediaCopy {
  const error = describeFailure(failure);
  switch (failure.kind) {
    case "not-found":
    case "not-allowed":
    case "rejected":
      return failed(url, n, error);
    case "rate-limited":
      return { state: "retry", url, n, error, retryAfterMs: failure.retryAfterMs };
    default:
      return { state: "retry", url, n, error };
  }
}

function describeFailure(failure: ApiFailure): string {
  switch (failure.kind) {
    case "not-found":
      return "not found (404)";
    case "rate-limited":
      return "rate limited (429)";
    default:
      return failure.reason;
  }
}

function failed(url: string, n: number, error: string): MediaCopy {
  return { state: "failed", url, n, error };
}

/** The body's length when the answer states it for the bytes the body yields (not for a compressed form). */
function declaredLength(response: Response): number | undefined {
  const encoding = response.headers.get("content-encoding")?.trim().toLowerCase();
  if (encoding && encoding !== "identity") return undefined;
  const length = response.headers.get("content-length")?.trim() ?? "";
  return /^\d{1,15}$/.test(length) ? Number(length) : undefined;
}

/** The media type, lower-cased without parameters; anything unreadable is served as octet-stream. */
function contentTypeOf(response: Response): string {
  const essence = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(essence)
    ? essence
    : "application/octet-stream";
}

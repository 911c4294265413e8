/**
 * A pass-through byte stream that counts and hashes what flows through it (SHA-256 with the Workers runtime's
 * crypto.DigestStream, chunk by chunk) and fails once more than a limit has passed: what lets a media file go
 * from Bandwidth to R2 without ever being held whole in memory.
 */
import { hex } from "./keys.ts";

/** Thrown into the stream when more than the limit flows through it. */
export class SizeLimitError extends Error {
  override readonly name = "SizeLimitError";
  readonly limit: number;
  constructor(limit: number) {
    super(`more than ${limit} bytes`);
    this.limit = limit;
  }
}

/** The size and SHA-256 (hex) of everything that passed. */
export interface StreamDigest {
  size: number;
  sha256: string;
}

/** A counting, hashing, limiting pass-through and, once it has flushed, what passed through it. */
export interface DigestingStream {
  stream: TransformStream<Uint8Array, Uint8Array>;
  /** Resolves after the stream has ended; rejects when it failed. */
  result: Promise<StreamDigest>;
}

/** A {@link DigestingStream} that errors as soon as more than `maxBytes` have passed. */
export function digestingStream(maxBytes: number): DigestingStream {
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  let size = 0;
  let settle: { resolve: (value: StreamDigest) => void; reject: (error: unknown) => void } | undefined;
  const result = new Promise<StreamDigest>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const fail = (error: unknown) => {
    settle?.reject(error);
    writer.abort(error).catch(() => undefined);
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        const error = new SizeLimitError(maxBytes);
        fail(error);
        throw error;
      }
      // The digest has read the chunk once its write resolves (it keeps no reference): the same bytes go on.
      await writer.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      await writer.close();
      settle?.resolve({ size, sha256: hex(new Uint8Array(await digest.digest)) });
    },
    cancel(reason) {
      fail(reason);
    },
  });
  // Reported through `result`; never an unhandled rejection (an aborted DigestStream rejects its digest).
  result.catch(() => undefined);
  digest.digest.catch(() => undefined);
  return { stream, result };
}

/**
 * `data.mediaFiles` of a forwarded inbound event: one entry per `message.media` URL, in order, either the copy
 * with a freshly signed `mirrorUrl` or the error that kept it from being copied. Links are signed when the
 * event is built for an attempt, so that a retried or redelivered event carries links that still hold.
 */
import * as v from "valibot";
import type { MediaCopy } from "./copy.ts";
import { type MediaLinkSigning, signMediaLink } from "./links.ts";

/** One entry of `data.mediaFiles` (published in the CloudEvent's JSON Schema). */
export const MediaFileSchema = v.union([
  v.object({
    url: v.pipe(v.string(), v.description("Bandwidth's media URL, as in message.media")),
    mirrorUrl: v.pipe(
      v.string(),
      v.description(
        "GET it within MEDIA_URL_TTL_HOURS: /media/<messageId>/<n>/<name>?exp=&sig= on the receiver",
      ),
    ),
    contentType: v.string(),
    size: v.pipe(v.number(), v.integer(), v.description("bytes")),
    sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/), v.description("hex SHA-256 of the bytes")),
  }),
  v.object({
    url: v.string(),
    error: v.pipe(v.string(), v.description("why there is no copy: not found, too large, over 10 files, …")),
  }),
]);

export type MediaFile = v.InferOutput<typeof MediaFileSchema>;

/** The `data.mediaFiles` of message `messageId`'s event, with links valid from `now`. */
export async function toMediaFiles(
  messageId: string,
  copies: readonly MediaCopy[],
  signing: MediaLinkSigning,
  now: number,
): Promise<MediaFile[]> {
  return Promise.all(
    copies.map(async (copy): Promise<MediaFile> => {
      if (copy.state !== "copied") return { url: copy.url, error: copy.error };
      const mirrorUrl = await signMediaLink({ messageId, n: copy.n, name: copy.name }, signing, now);
      return {
        url: copy.url,
        mirrorUrl,
        contentType: copy.contentType,
        size: copy.size,
        sha256: copy.sha256,
      };
    }),
  );
}

/**
 * GET /media/:messageId/:n/:name: a copy of an inbound MMS file, for whoever holds a signed link to it (the
 * signature is the credential: no bearer). 403 for a tampered, malformed or expired link, decided before R2 is
 * read; 404 when the copy is gone (retention) or media links are off; else the bytes as an attachment that no
 * browser will render or sniff.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { MAX_MESSAGE_ID_LENGTH } from "../bandwidth/schema.ts";
import { log } from "../log.ts";
import { isMediaFileName, MAX_MEDIA_FILES, mediaKey } from "../media/keys.ts";
import { verifyMediaLink } from "../media/links.ts";
import { readMediaSettings } from "../media/settings.ts";
import type { AppEnv } from "./app-env.ts";

/** Headers of every media answer: download only, never rendered, sniffed or shared from a cache. */
const MEDIA_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "sandbox; default-src 'none'",
  "cache-control": "private",
  // The link's signature is in its query: keep it out of any Referer.
  "referrer-policy": "no-referrer",
};

/** The media route. */
export const media = new Hono<AppEnv>().get("/:messageId/:n/:name", async (c) => {
  const result = readMediaSettings(c.env);
  if (!result.ok) {
    log("error", "configuration_invalid", {
      settings: result.problems.map((p) => `${p.setting} ${p.problem}`).join("; "),
    });
    throw new HTTPException(503, { message: "media links are not configured; see /healthz" });
  }
  const links = result.settings.links;
  if (!links) throw new HTTPException(404, { message: "not found" });
  const { messageId, n, name } = c.req.param();
  const target = { messageId, n: Number(n), name };
  const shaped =
    messageId.length > 0 &&
    messageId.length <= MAX_MESSAGE_ID_LENGTH &&
    /^\d{1,2}$/.test(n) &&
    target.n < MAX_MEDIA_FILES &&
    isMediaFileName(name);
  const verdict = shaped
    ? await verifyMediaLink(target, c.req.query("exp"), c.req.query("sig"), links.secret, Date.now())
    : "invalid";
  if (verdict !== "valid") {
    log("warn", "media_link_refused", { reason: verdict });
    throw new HTTPException(403, { message: "link is invalid or expired" });
  }
  const object = await links.bucket.get(await mediaKey(messageId, target.n, name));
  if (!object) throw new HTTPException(404, { message: "media copy not found" });
  return new Response(object.body, {
    headers: {
      ...MEDIA_HEADERS,
      "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "content-length": String(object.size),
      "content-disposition": `attachment; filename="${name}"`,
      etag: object.httpEtag,
    },
  });
});

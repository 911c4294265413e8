/**
 * GET /console: the operator console, static files from src/console/ served through the ASSETS binding with
 * the console's security headers. `/console` is the page and `/console/<file>` its scripts and styles (the
 * folder is flat); nothing of the assets is reachable at any other path, since wrangler.toml runs the Worker
 * first for every request.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { consoleHeaders } from "./middleware/console-headers.ts";

/** A file name of the console's folder: letters, digits, `-`, `_` and one extension. */
const FILE_NAME = /^[A-Za-z0-9_-]+\.[a-z]+$/;

/** Fetches `/<file>` from the assets, passing on only the validators, so that a revalidation can be a 304. */
async function serveAsset(c: Context<AppEnv>, file: string): Promise<Response> {
  if (!FILE_NAME.test(file)) return c.json({ error: "not found" }, 404);
  const url = new URL(`/${file}`, c.req.url);
  const headers = new Headers();
  const etag = c.req.header("if-none-match");
  if (etag) headers.set("if-none-match", etag);
  const asset = await c.env.ASSETS.fetch(new Request(url, { method: c.req.method, headers }));
  if (asset.status === 404) return c.json({ error: "not found" }, 404);
  return asset;
}

/** The console routes, mounted at /console. */
export const consolePages = new Hono<AppEnv>()
  .use(consoleHeaders())
  .get("/", (c) => serveAsset(c, "index.html"))
  .get("/:file", (c) => serveAsset(c, c.req.param("file")));

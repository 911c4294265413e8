/**
 * GET /openapi.json: the committed OpenAPI document (src/console/openapi.json), unauthenticated. It is a static
 * asset, fetched through the ASSETS binding, so that the Worker's script carries neither the document nor the
 * schema converter; a test fails when the committed file is stale.
 */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env.ts";

/** The OpenAPI route. */
export const openApi = new Hono<AppEnv>().get("/", async (c) => {
  const asset = await c.env.ASSETS.fetch(new Request(new URL("/openapi.json", c.req.url)));
  if (!asset.ok) return c.json({ error: "the OpenAPI document is missing from the assets" }, 500);
  return new Response(asset.body, {
    headers: { "content-type": "application/json; charset=UTF-8", "cache-control": "no-cache" },
  });
});

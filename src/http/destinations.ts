/**
 * The operator's view of the destinations: GET /destinations (each destination with its health), and
 * POST /destinations/:name/pause and /resume.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Destination } from "../forward/destination-schema.ts";
import { toDestinationView, toHealthView } from "../forward/destination-view.ts";
import type { AppEnv } from "./app-env.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import { requireConfig } from "./middleware/require-config.ts";

/** The configured destination `name`, or a 404. */
function configured(destinations: readonly Destination[], name: string): Destination {
  const destination = destinations.find((candidate) => candidate.name === name);
  if (!destination) throw new HTTPException(404, { message: "no destination of that name is configured" });
  return destination;
}

/** The destination routes. */
export const destinations = new Hono<AppEnv>()
  .use(requireConfig(), requireAdmin())
  .get("/", async (c) => {
    const views = await Promise.all(
      c.var.config.destinations.map(async (destination) =>
        toDestinationView(destination, await c.env.DESTINATION_HEALTH.getByName(destination.name).status()),
      ),
    );
    return c.json({ destinations: views });
  })
  .post("/:name/pause", async (c) => {
    const { name } = configured(c.var.config.destinations, c.req.param("name"));
    const status = await c.env.DESTINATION_HEALTH.getByName(name).pause();
    return c.json({ destination: name, health: toHealthView(status) }, 202);
  })
  .post("/:name/resume", async (c) => {
    const { name } = configured(c.var.config.destinations, c.req.param("name"));
    const status = await c.env.DESTINATION_HEALTH.getByName(name).resume();
    return c.json({ destination: name, health: toHealthView(status) }, 202);
  });

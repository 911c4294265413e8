/**
 * The operator's view of the destinations: GET /destinations (each destination with its health), and
 * POST /destinations/:name/pause and /resume.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Destination } from "../forward/destination-schema.ts";
import { type RateLimitView, toDestinationView, toHealthView } from "../forward/destination-view.ts";
import { log } from "../log.ts";
import type { AppEnv } from "./app-env.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import { requireConfig } from "./middleware/require-config.ts";

/** The configured destination `name`, or a 404. */
function configured(destinations: readonly Destination[], name: string): Destination {
  const destination = destinations.find((candidate) => candidate.name === name);
  if (!destination) throw new HTTPException(404, { message: "no destination of that name is configured" });
  return destination;
}

/** A rate-limited destination's limiter counts; undefined (left out of the view) when it cannot be asked. */
async function limiterStatus(env: Env, name: string): Promise<RateLimitView | undefined> {
  try {
    return await env.DELIVERY_RATE_LIMITER.getByName(name).status();
  } catch (error) {
    log("warn", "rate_limiter_unreachable", { destination: name, error: String(error).slice(0, 200) });
    return undefined;
  }
}

/** The destination routes. */
export const destinations = new Hono<AppEnv>()
  .use(requireConfig(), requireAdmin())
  .get("/", async (c) => {
    const views = await Promise.all(
      c.var.config.destinations.map(async (destination) => {
        const [status, rateLimit] = await Promise.all([
          c.env.DESTINATION_HEALTH.getByName(destination.name).status(),
          destination.maxPerSecond === undefined ? undefined : limiterStatus(c.env, destination.name),
        ]);
        return toDestinationView(destination, status, rateLimit);
      }),
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

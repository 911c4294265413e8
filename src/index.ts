/**
 * The Worker: the Hono app with its routes mounted, and the Durable Object classes it exports.
 */
import { Hono } from "hono";
import type { AppEnv } from "./http/app-env.ts";
import { callbacks } from "./http/callbacks.ts";
import { consolePages } from "./http/console.ts";
import { deadLetters } from "./http/dead-letters.ts";
import { destinations } from "./http/destinations.ts";
import { onError } from "./http/errors.ts";
import { health } from "./http/health.ts";
import { media } from "./http/media.ts";
import { messageSearch } from "./http/message-search.ts";
import { messages } from "./http/messages.ts";
import { applyLogLevel } from "./http/middleware/apply-log-level.ts";
import { quarantine } from "./http/quarantine.ts";
import { replay } from "./http/replay.ts";
import { stats } from "./http/stats.ts";
import { inJurisdiction } from "./jurisdiction.ts";
import { meterObjectClasses } from "./metering/objects.ts";
import { meteredWorker } from "./metering/worker.ts";
import { DeadLetters } from "./objects/dead-letters.ts";
import { DestinationHealth } from "./objects/destination-health.ts";
import { MessageTracker } from "./objects/message-tracker.ts";
import { QuarantineList } from "./objects/quarantine-list.ts";
import { ReplayJob } from "./objects/replay-job.ts";
import { openApi } from "./openapi/route.ts";

export { DeadLetters, DestinationHealth, MessageTracker, QuarantineList, ReplayJob };

// The bench's metering (src/metering/): compiled out (wrangler.toml's [define]) except under the bench.
if (typeof __BENCH_METERING__ !== "undefined" && __BENCH_METERING__) {
  meterObjectClasses({ DeadLetters, DestinationHealth, MessageTracker, QuarantineList, ReplayJob });
}

/** The receiver's HTTP app. */
export const app = new Hono<AppEnv>()
  .use(applyLogLevel())
  .route("/callbacks", callbacks)
  // GET /messages (search) before the routes of one message, so that only its own middleware runs.
  .route("/messages", messageSearch)
  .route("/messages", messages)
  .route("/dead-letters", deadLetters)
  .route("/quarantine", quarantine)
  .route("/destinations", destinations)
  .route("/stats", stats)
  .route("/replay", replay)
  .route("/healthz", health)
  .route("/openapi.json", openApi)
  .route("/media", media)
  .route("/console", consolePages)
  .notFound((c) => c.json({ error: "not found" }, 404))
  .onError(onError);

/** The Worker's entry: the app, with every Durable Object reached through DATA_JURISDICTION's namespace. */
const worker = {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, inJurisdiction(env), ctx),
};

export default (typeof __BENCH_METERING__ !== "undefined" && __BENCH_METERING__
  ? meteredWorker(worker)
  : worker) satisfies ExportedHandler<Env>;

/**
 * The Worker: the Hono app with its routes mounted, and the Durable Object classes it exports.
 */
import { Hono } from "hono";
import type { AppEnv } from "./http/app-env.ts";
import { callbacks } from "./http/callbacks.ts";
import { deadLetters } from "./http/dead-letters.ts";
import { onError } from "./http/errors.ts";
import { health } from "./http/health.ts";
import { media } from "./http/media.ts";
import { messages } from "./http/messages.ts";
import { quarantine } from "./http/quarantine.ts";
import { openApi } from "./openapi/route.ts";

export { DeadLetters } from "./objects/dead-letters.ts";
export { MessageTracker } from "./objects/message-tracker.ts";
export { QuarantineList } from "./objects/quarantine-list.ts";

/** The receiver's HTTP app. */
export const app = new Hono<AppEnv>()
  .route("/callbacks", callbacks)
  .route("/messages", messages)
  .route("/dead-letters", deadLetters)
  .route("/quarantine", quarantine)
  .route("/healthz", health)
  .route("/openapi.json", openApi)
  .route("/media", media)
  .notFound((c) => c.json({ error: "not found" }, 404))
  .onError(onError);

export default app satisfies ExportedHandler<Env>;

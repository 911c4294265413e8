/**
 * The Worker's entry under the bench's metering: with BENCH_METERING off it only checks that variable and hands
 * the request to the app. With it on it counts the request, installs the binding and console counters (once per
 * isolate) and answers the bench's own routes, which need the operator's bearer token and are not counted:
 * `GET /_bench/metering` (the counts) and `POST /_bench/metering/reset`. Off, those paths are the app's 404.
 */
import { isAuthorizedAdmin } from "../http/auth.ts";
import { meterBindings } from "./bindings.ts";
import { meterConsole } from "./console.ts";
import { count, resetCounts, snapshot } from "./counts.ts";
import { meteringEnabled } from "./enabled.ts";
import { settleCursors } from "./storage.ts";

/** The path of the bench's metering routes. */
export const METERING_PATH = "/_bench/metering";

/** The bindings the metering routes read: the operator's token(s). */
interface MeteredEnv {
  ADMIN_TOKEN?: string;
}

/** A Worker's fetch handler, as Hono's `app.fetch` (its own types are kept). */
type FetchHandler = (request: Request, env: never, ctx: never) => Response | Promise<Response>;

async function answerMetering(request: Request, env: MeteredEnv): Promise<Response> {
  const tokens = (env.ADMIN_TOKEN ?? "").split(/\s+/).filter((token) => token !== "");
  if (!(await isAuthorizedAdmin(request.headers.get("authorization") ?? undefined, tokens))) {
    return Response.json({ error: "bearer token required" }, { status: 401 });
  }
  const { pathname } = new URL(request.url);
  settleCursors();
  if (request.method === "GET" && pathname === METERING_PATH) return Response.json(snapshot());
  if (request.method === "POST" && pathname === `${METERING_PATH}/reset`) {
    resetCounts();
    return Response.json({ reset: true });
  }
  return Response.json({ error: "not found" }, { status: 404 });
}

/** The app's fetch handler, metered when BENCH_METERING is "on" (the receiver's, and the bench's floor Worker's). */
export function meteredWorker<H extends FetchHandler>(app: { fetch: H }): { fetch: H } {
  const fetch = (request: Request, env: MeteredEnv, ctx: ExecutionContext) => {
    if (!meteringEnabled(env)) return app.fetch(request, env as never, ctx as never);
    meterBindings(env);
    meterConsole();
    if (new URL(request.url).pathname.startsWith(METERING_PATH)) return answerMetering(request, env);
    count("workerRequests");
    return app.fetch(request, env as never, ctx as never);
  };
  return { fetch: fetch as unknown as H };
}

import { env } from "cloudflare:workers";
import { it } from "vitest";
import { statusEvent } from "../helpers/events.ts";
import { postCallback } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";

it("lone surrogate id + settle", async () => {
  const a = statusEvent("message-sent", { id: "probe2-\ud800" });
  const ra = await postCallback([a]);
  console.error("a", ra.status, await ra.text());
  await new Promise((r) => setTimeout(r, 500));
  const s = await env.MESSAGE_TRACKER.getByName("probe2-\ud800").snapshot();
  console.error("forwarding", JSON.stringify(s?.events.map((e) => e.forwarding)));
  await settle("probe2-\ud800");
});
it("lone surrogate applicationId", async () => {
  const a = statusEvent("message-sent", { id: "probe3" });
  (a.message as Record<string, unknown>).applicationId = "app-\ud800";
  const ra = await postCallback([a]);
  console.error("b", ra.status, await ra.text());
  await new Promise((r) => setTimeout(r, 1500));
  const s = await env.MESSAGE_TRACKER.getByName("probe3").snapshot();
  console.error("forwarding", JSON.stringify(s?.events.map((e) => e.forwarding)));
});

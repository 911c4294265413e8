/**
 * LOG_LEVEL=warn (this suite's configuration): neither the Worker nor a Durable Object writes an info line, not
 * even the per-event `event_stored` and delivered `forward_attempt`, while every warn line still is written (a
 * dead forward, a quarantined event). The message's history and the index keep every outcome all the same.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../src/index.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, basicAuth, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { forwardingState, settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

interface Line {
  level: string;
  event: string;
  outcome?: string;
}

function captureConsole(): Line[] {
  const lines: Line[] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(JSON.parse(args.map(String).join(" ")) as Line);
    });
  }
  return lines;
}

/** An event of `id` with a unique tag, dated a minute ago (within GET /messages' default window). */
function tagged(type: string, id: string, tag: string, step: number) {
  const event = statusEvent(type, { id, step });
  Object.assign(event.message, { tag, time: new Date(Date.now() - 60_000).toISOString() });
  return event;
}

afterEach(() => vi.restoreAllMocks());

describe("at LOG_LEVEL warn", () => {
  it("writes every warn line and no info line, while history and index keep every outcome", async () => {
    expect(env.LOG_LEVEL).toBe("warn");
    const lines = captureConsole();
    const delivered = newMessageId("quiet");
    const tag = `tag-${delivered}`;
    const dead = newMessageId("quiet-dead");
    const held = statusEvent("message-sent", { id: newMessageId("quiet-held") });
    Object.assign(held.message, { segmentCount: "many" });
    await scriptDownstream(dead, [400]);
    const sending = tagged("message-sending", delivered, tag, 0);
    try {
      for (const batch of [
        [sending],
        [tagged("message-delivered", delivered, tag, 1)],
        [sending],
        [statusEvent("message-sent", { id: dead })],
        [held],
      ]) {
        expect((await postCallback(batch)).status).toBe(200);
      }
      await forwardingState(delivered, "delivered");
      await forwardingState(dead, "dead");
      expect(await forwardsOf(delivered)).toHaveLength(2);
      const indexed = await waitFor(async () => {
        const body = (await (await admin(`/messages?tag=${tag}`)).json()) as {
          messages: Array<{ id: string; status: string }>;
        };
        return body.messages[0]?.status === "delivered" ? body.messages[0] : undefined;
      });
      expect(indexed.id).toBe(delivered);
      const history = (await (await admin(`/messages/${delivered}`)).json()) as {
        events: Array<{ type: string; duplicates: number; forwarding: Record<string, { state: string }> }>;
      };
      const outcomes = history.events.map((e) => [e.type, e.duplicates, e.forwarding.default?.state]);
      expect(outcomes).toEqual([
        ["message-sending", 1, "delivered"],
        ["message-delivered", 0, "delivered"],
      ]);
    } finally {
      // Reading a message re-arms its alarm: settled last, so that no alarm outlives the test.
      await settle(delivered, dead, held.message.id);
    }

    expect(lines.filter((line) => line.level === "info")).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ event: "forward_attempt", outcome: "dead" }));
    expect(lines).toContainEqual(expect.objectContaining({ level: "warn", event: "event_quarantined" }));
    expect(lines).toContainEqual(expect.objectContaining({ level: "warn", event: "callback_quarantined" }));
  });

  it("refuses an invalid LOG_LEVEL as a configuration problem, named in /healthz without its value", async () => {
    const broken = { ...env, LOG_LEVEL: "chatty-value" } as Env;
    const init = { method: "POST", headers: { authorization: basicAuth() }, body: "[]" };
    const refused = await app.request("https://receiver.test/callbacks/messaging", init, broken);
    expect(refused.status).toBe(503);
    const health = await app.request("https://receiver.test/healthz", {}, broken);
    const text = await health.text();
    expect(JSON.parse(text)).toMatchObject({ configured: false, problems: [{ setting: "LOG_LEVEL" }] });
    expect(text).not.toContain("chatty-value");
  });
});

/**
 * Logs never hold message text or full phone numbers: every console line written while callbacks with
 * distinctive text and numbers are accepted, retried, rejected, forwarded, retried downstream, dead-lettered
 * and redelivered (the Worker's and the Durable Objects' lines alike) is one JSON object and holds neither.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../src/index.ts";
import { inboundEvent, newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, basicAuth, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { forwardingState, settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

const TEXT = "leak-text: meet me at the pier at five 🙂";
const SENDER = "+15557654321";
const OWNED = ["+15551230001", "+15551230002"];
const RECIPIENTS = ["+15559870001", "+15559870002"];
const FROM = "+15559870009";
const NUMBERS = [SENDER, ...OWNED, ...RECIPIENTS, FROM];

function captureConsole(): string[] {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) =>
      lines.push(args.map(String).join(" ")),
    );
  }
  return lines;
}

function outbound(type: string, id: string, to: string, extra: { errorCode?: number; time?: string } = {}) {
  const event = statusEvent(type, { id, to, recipients: RECIPIENTS, ...extra });
  Object.assign(event.message, { from: FROM, owner: FROM, text: TEXT });
  return event;
}

afterEach(() => vi.restoreAllMocks());

describe("log lines", () => {
  it("are one JSON object each and hold no message text and no full phone number", async () => {
    const lines = captureConsole();
    const [owned] = OWNED as [string];
    const inbound = inboundEvent({ extra: { to: owned } });
    Object.assign(inbound.message, { from: SENDER, to: OWNED, owner: owned, text: TEXT });
    const sent = newMessageId("logs");
    const dead = newMessageId("logs");
    await scriptDownstream(sent, [503]);
    await scriptDownstream(dead, [400]);

    const [first, second] = RECIPIENTS as [string, string];
    try {
      const batches = [
        [inbound],
        [outbound("message-sending", sent, first), outbound("message-sent", sent, first)],
        [
          outbound("message-delivered", sent, first),
          outbound("message-failed", sent, second, { errorCode: 4720 }),
        ],
        [outbound("message-delivered", sent, first)],
        [outbound("message-sent", dead, first)],
      ];
      for (const batch of batches) expect((await postCallback(batch)).status).toBe(200);
      const invalid = outbound("message-sent", newMessageId("logs"), first);
      Object.assign(invalid.message, { segmentCount: SENDER });
      expect((await postCallback([invalid])).status).toBe(200);
      await settle(invalid.message.id);
      const unusable = outbound("message-sent", "", first);
      expect((await postCallback([unusable])).status).toBe(400);
      expect((await postCallback([inbound], { authorization: basicAuth(FROM, SENDER) })).status).toBe(401);
      const broken = { ...env, DOWNSTREAM_SECRET: `whsec_${SENDER}!` } as Env;
      const refused = await app.request(
        "https://receiver.test/callbacks/messaging",
        {
          method: "POST",
          headers: { authorization: basicAuth(), "content-type": "application/json" },
          body: "[]",
        },
        broken,
      );
      expect(refused.status).toBe(503);

      await forwardingState(dead, "dead");
      expect((await admin(`/messages/${dead}/redeliver`, { method: "POST" })).status).toBe(202);
      await waitFor(async () => ((await forwardsOf(sent)).length >= 5 ? true : undefined));
    } finally {
      // Stored events must drain, or their alarms outlive the test and stall the run.
      await settle(inbound.message.id, sent, dead);
    }

    const events = new Set<string>();
    for (const line of lines) {
      const parsed = JSON.parse(line) as { level?: unknown; event?: unknown };
      expect(typeof parsed.level, line).toBe("string");
      expect(typeof parsed.event, line).toBe("string");
      events.add(String(parsed.event));
      expect(line).not.toContain("meet me at the pier");
      for (const number of NUMBERS) {
        expect(line).not.toContain(number);
        expect(line).not.toContain(number.slice(1));
      }
    }
    // The capture saw the Worker's and the Durable Objects' lines, so the checks above had something to check.
    for (const expected of [
      "event_stored",
      "forward_attempt",
      "callback_rejected",
      "configuration_invalid",
    ]) {
      expect(events).toContain(expected);
    }
  });
});

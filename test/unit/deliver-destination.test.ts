/**
 * One attempt to a destination of either kind: HTTP destinations get the signed POST (through a fake fetch
 * here), queue destinations the message on their binding, and a binding gone since the configuration was read
 * is a retried failure, never a throw.
 */
import { describe, expect, it } from "vitest";
import { deliverToDestination } from "../../src/forward/deliver-destination.ts";
import type { Destination } from "../../src/forward/destination-schema.ts";
import { signWebhook } from "../../src/forward/sign.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BODY = JSON.stringify({ specversion: "1.0", id: "evt-1", subject: "m-1" });

const http: Destination = {
  kind: "http",
  name: "crm",
  target: { url: "https://crm.example.com/hooks", secrets: [SECRET], timeoutMs: 1000 },
  timeoutMs: 1000,
  maxAgeMs: 3_600_000,
};
const queue: Destination = {
  kind: "queue",
  name: "warehouse",
  queue: "EVENTS_QUEUE",
  timeoutMs: 1000,
  maxAgeMs: 3_600_000,
};

describe("deliverToDestination", () => {
  it("POSTs to an HTTP destination, signed with its secrets", async () => {
    const requests: Request[] = [];
    const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
      requests.push(new Request(input, init));
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const report = await deliverToDestination(http, {} as Env, "evt-1", BODY, { fetcher, traceparent });
    expect(report.outcome).toMatchObject({ kind: "response", status: 204 });
    const [request] = requests;
    expect(request?.headers.get("traceparent")).toBe(traceparent);
    expect(request?.url).toBe("https://crm.example.com/hooks");
    const timestamp = Number(request?.headers.get("webhook-timestamp"));
    expect(request?.headers.get("webhook-signature")).toBe(
      await signWebhook([SECRET], "evt-1", timestamp, BODY),
    );
  });

  it("sends to a queue destination's binding", async () => {
    const sent: unknown[] = [];
    const env = { EVENTS_QUEUE: { send: async (body: unknown) => void sent.push(body) } } as unknown as Env;
    const report = await deliverToDestination(queue, env, "evt-1", BODY);
    expect(report.outcome).toMatchObject({ kind: "response", status: 202 });
    expect(sent).toEqual([JSON.parse(BODY)]);
  });

  it("reports a queue binding that has gone as a network error", async () => {
    const report = await deliverToDestination(queue, {} as Env, "evt-1", BODY);
    expect(report.outcome).toEqual({ kind: "network", error: "no Queues binding of that name" });
  });
});

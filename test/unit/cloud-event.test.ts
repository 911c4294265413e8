/**
 * The normalized event: every Bandwidth event type mapped to its CloudEvent, validated by the published schema.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { type BandwidthEventOutput, BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { NormalizedEventSchema, toCloudEvent } from "../../src/forward/cloud-event.ts";
import { inboundEvent, statusEvent } from "../helpers/events.ts";

const CONTEXT = {
  id: "evt_0123456789abcdef0123456789abcdef",
  sequence: 3,
  status: "delivered",
  trace: { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" },
};

function validated(event: unknown): BandwidthEventOutput {
  return v.parse(BandwidthEventSchema, event);
}

describe("toCloudEvent", () => {
  // Found by the fuzzer: JSON text can carry a lone surrogate, on which encodeURIComponent throws; the event
  // was accepted, then every forward attempt threw and the message's outbox stalled.
  it("maps an applicationId holding a lone surrogate (source made well-formed)", () => {
    const event = statusEvent("message-sent");
    (event.message as Record<string, unknown>).applicationId = "app-\ud800";
    const cloudEvent = toCloudEvent(validated(event), CONTEXT);
    expect(cloudEvent.source).toBe("/bandwidth/messaging/applications/app-%EF%BF%BD");
    expect(cloudEvent.data.applicationId).toBe("app-\ud800");
  });

  it.each([
    ["message-sending", "sending"],
    ["message-sent", "sent"],
    ["message-delivered", "delivered"],
    ["message-failed", "failed"],
    ["message-read", "read"],
    ["message-foo", "foo"],
  ])("maps outbound %s to com.bandwidth.message.%s", (type, name) => {
    const event = validated(
      statusEvent(type, { id: "msg-ce", errorCode: type === "message-failed" ? 4432 : undefined }),
    );
    const cloudEvent = toCloudEvent(event, CONTEXT);
    expect(cloudEvent.type).toBe(`com.bandwidth.message.${name}`);
    expect(cloudEvent.data).toMatchObject({ event: name, bandwidthType: type, direction: "outbound" });
    expect(v.safeParse(NormalizedEventSchema, cloudEvent).success).toBe(true);
  });

  it.each([
    ["message-received", "received"],
    ["suggestion-response", "suggestion-response"],
    ["requested-location-response", "location-response"],
    ["request-location-response", "location-response"],
    ["location-request-response", "location-response"],
  ])("maps inbound %s to com.bandwidth.message.%s", (type, name) => {
    const event = validated(inboundEvent({ id: "msg-ce-in", type }));
    const cloudEvent = toCloudEvent(event, { ...CONTEXT, status: name });
    expect(cloudEvent.type).toBe(`com.bandwidth.message.${name}`);
    expect(cloudEvent.data).toMatchObject({ event: name, bandwidthType: type, direction: "inbound" });
    expect(v.safeParse(NormalizedEventSchema, cloudEvent).success).toBe(true);
  });

  it("sets the CloudEvents attributes from the event and the context", () => {
    const event = validated(
      statusEvent("message-delivered", { id: "msg-attributes", time: "2024-09-14T18:20:16.123456Z" }),
    );
    expect(toCloudEvent(event, CONTEXT)).toMatchObject({
      specversion: "1.0",
      id: CONTEXT.id,
      source: "/bandwidth/messaging/applications/93de2206-9669-4e07-948d-329f4b722ee2",
      subject: "msg-attributes",
      time: "2024-09-14T18:20:16.123456Z",
      sequence: "3",
      datacontenttype: "application/json",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
  });

  it("carries the recipient (top-level to), every recipient (message.to) and the message fields in data", () => {
    const event = validated(
      statusEvent("message-delivered", {
        id: "msg-group",
        to: "+15554443334",
        recipients: ["+15554443333", "+15554443334"],
        description: "Message delivered to carrier.",
      }),
    );
    expect(toCloudEvent(event, CONTEXT).data).toEqual({
      messageId: "msg-group",
      event: "delivered",
      bandwidthType: "message-delivered",
      direction: "outbound",
      recipient: "+15554443334",
      to: ["+15554443333", "+15554443334"],
      from: "+15552221111",
      owner: "+15552221111",
      applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
      segmentCount: 1,
      description: "Message delivered to carrier.",
      status: "delivered",
      time: "2024-09-14T18:20:16.000Z",
      messageTime: "2024-09-14T18:20:15.000Z",
      text: "",
      tag: "test",
    });
  });

  it("includes errorCode only when the event has one", () => {
    const failed = toCloudEvent(validated(statusEvent("message-failed", { errorCode: 9902 })), {
      ...CONTEXT,
      status: "failed",
    });
    const delivered = toCloudEvent(validated(statusEvent("message-delivered")), CONTEXT);
    expect(failed.data.errorCode).toBe(9902);
    expect("errorCode" in delivered.data).toBe(false);
  });

  it("takes status from the context, not from the event type", () => {
    const cloudEvent = toCloudEvent(validated(statusEvent("message-foo")), { ...CONTEXT, status: "sent" });
    expect(cloudEvent.data.status).toBe("sent");
  });

  it("keeps every other Bandwidth field, of the event and of the message", () => {
    const raw = JSON.parse(
      JSON.stringify(
        statusEvent("message-read", {
          extra: { eventTime: "2024-09-14T18:21:00Z", carrierName: "Carrier", futureField: { a: 1 } },
        }),
      ),
    ) as Record<string, unknown>;
    Object.assign(raw.message as Record<string, unknown>, {
      media: ["https://example.com/a.jpg"],
      priority: "high",
      channel: "RBM",
      futureMessageField: [1, 2],
    });
    const cloudEvent = toCloudEvent(validated(raw), CONTEXT);
    expect(cloudEvent.data).toMatchObject({
      eventTime: "2024-09-14T18:21:00Z",
      carrierName: "Carrier",
      futureField: { a: 1 },
      media: ["https://example.com/a.jpg"],
      priority: "high",
      channel: "RBM",
      futureMessageField: [1, 2],
    });
    expect(v.safeParse(NormalizedEventSchema, cloudEvent).success).toBe(true);
  });

  it("encodes an application id into a safe source path", () => {
    const raw = JSON.parse(JSON.stringify(statusEvent("message-sent"))) as Record<string, unknown>;
    (raw.message as Record<string, unknown>).applicationId = "a/b c";
    expect(toCloudEvent(validated(raw), CONTEXT).source).toBe("/bandwidth/messaging/applications/a%2Fb%20c");
  });

  it("is pure: the same inputs give the same envelope", () => {
    const event = validated(statusEvent("message-sent", { id: "msg-pure" }));
    expect(JSON.stringify(toCloudEvent(event, CONTEXT))).toBe(JSON.stringify(toCloudEvent(event, CONTEXT)));
  });
});

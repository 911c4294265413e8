/**
 * The event identity: exactly type, message.id, top-level to, time, errorCode and eventTime decide it.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { type BandwidthEventOutput, BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { dedupKey, eventIdOf } from "../../src/message/event-id.ts";
import { statusEvent } from "../helpers/events.ts";

type Json = Record<string, unknown>;

/** A read event carrying every field of the key, so that each one can be changed. */
function baseEvent(): Json {
  return JSON.parse(
    JSON.stringify(
      statusEvent("message-read", {
        id: "msg-identity",
        to: "+15554443333",
        recipients: ["+15554443333", "+15554443334"],
        time: "2024-09-14T18:20:16.000Z",
        errorCode: 9902,
        description: "Message read",
        extra: { eventTime: "2024-09-14T18:20:10.000Z" },
      }),
    ),
  ) as Json;
}

function validated(event: Json): BandwidthEventOutput {
  return v.parse(BandwidthEventSchema, event);
}

function changed(edit: (event: Json, message: Json) => void): BandwidthEventOutput {
  const event = baseEvent();
  edit(event, event.message as Json);
  return validated(event);
}

describe("eventIdOf", () => {
  it("is evt_ followed by 32 hex digits", async () => {
    expect(await eventIdOf(validated(baseEvent()))).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it("is the same for a copy of the event", async () => {
    expect(await eventIdOf(validated(baseEvent()))).toBe(await eventIdOf(validated(baseEvent())));
  });

  it.each<[string, (event: Json, message: Json) => void]>([
    ["description", (event) => Object.assign(event, { description: "Reworded by Bandwidth" })],
    ["carrierName", (event) => Object.assign(event, { carrierName: "Some Carrier" })],
    ["an unknown field", (event) => Object.assign(event, { somethingNew: true })],
    ["message.text", (_, message) => Object.assign(message, { text: "other" })],
    ["message.tag", (_, message) => Object.assign(message, { tag: "other" })],
    ["message.time", (_, message) => Object.assign(message, { time: "2024-09-14T18:00:00Z" })],
    ["message.to", (_, message) => Object.assign(message, { to: ["+15554443333"] })],
    ["message.segmentCount", (_, message) => Object.assign(message, { segmentCount: 3 })],
  ])("does not change when %s changes", async (_, edit) => {
    expect(await eventIdOf(changed(edit))).toBe(await eventIdOf(validated(baseEvent())));
  });

  it.each<[string, (event: Json, message: Json) => void]>([
    ["type", (event) => Object.assign(event, { type: "message-delivered" })],
    ["message.id", (_, message) => Object.assign(message, { id: "msg-other" })],
    ["top-level to", (event) => Object.assign(event, { to: "+15554443334" })],
    ["time", (event) => Object.assign(event, { time: "2024-09-14T18:20:16.001Z" })],
    ["errorCode", (event) => Object.assign(event, { errorCode: 4720 })],
    ["errorCode (removed)", (event) => Reflect.deleteProperty(event, "errorCode")],
    ["eventTime", (event) => Object.assign(event, { eventTime: "2024-09-14T18:20:11.000Z" })],
    ["eventTime (removed)", (event) => Reflect.deleteProperty(event, "eventTime")],
  ])("changes when %s changes", async (_, edit) => {
    expect(await eventIdOf(changed(edit))).not.toBe(await eventIdOf(validated(baseEvent())));
  });
});

describe("dedupKey", () => {
  it("holds exactly type, message.id, to, time, errorCode and eventTime", () => {
    expect(JSON.parse(dedupKey(validated(baseEvent())))).toEqual([
      "message-read",
      "msg-identity",
      "+15554443333",
      "2024-09-14T18:20:16.000Z",
      9902,
      "2024-09-14T18:20:10.000Z",
    ]);
  });

  it("cannot be forged by a field that contains the separator of another", () => {
    const a = changed((event, message) => {
      message.id = 'a","b';
      event.to = "c";
    });
    const b = changed((event, message) => {
      message.id = "a";
      event.to = 'b","c';
    });
    expect(dedupKey(a)).not.toBe(dedupKey(b));
  });
});

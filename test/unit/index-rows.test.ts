/**
 * A message's rows in the D1 index (src/message/index-rows.ts): the summary GET /messages lists, the recipient
 * rows GET /stats counts, from the state and records the MessageTracker holds.
 */
import { describe, expect, it } from "vitest";
import { epochMillis, toIndexRows } from "../../src/message/index-rows.ts";
import { toMessageView } from "../../src/message/view.ts";
import { held, inboundEvents, outboundEvents, rowsOf } from "../helpers/index-messages.ts";

const TIME = "2024-09-14T18:20:15.000Z";
const T = Date.parse(TIME);
const APP = "93de2206-9669-4e07-948d-329f4b722ee2";

describe("toIndexRows: the summary", () => {
  it("summarizes a delivered outbound message with its fields and message time", () => {
    const events = outboundEvents(
      { id: "m-1", time: TIME, applicationId: APP, tag: "campaign-7", segmentCount: 2 },
      { "+15550000001": { status: "delivered", carrier: "T-Mobile", afterMs: 3_000 } },
    );
    const { summary, recipients } = rowsOf(events, { quarantined: 1 });
    expect(summary).toEqual({
      id: "m-1",
      direction: "outbound",
      from: "+15552221111",
      to: ["+15550000001"],
      applicationId: APP,
      tag: "campaign-7",
      status: "delivered",
      errorCodes: [],
      segmentCount: 2,
      time: T,
      updatedAt: 1_010,
      pending: 0,
      dead: 0,
      quarantined: 1,
      unrouted: 0,
      events: events.length,
      reconciliation: null,
    });
    expect(recipients).toEqual([
      {
        recipient: "+15550000001",
        status: "delivered",
        errorCode: null,
        carrier: "T-Mobile",
        deliveredAt: T + 3_000,
      },
    ]);
  });

  it("lists the failed recipients' error codes once each, sorted, and says mixed when recipients differ", () => {
    const events = outboundEvents(
      { id: "m-2", time: TIME },
      {
        "+15550000003": { status: "failed", errorCode: 4720 },
        "+15550000001": { status: "failed", errorCode: 4432 },
        "+15550000002": { status: "delivered" },
        "+15550000004": { status: "failed", errorCode: 4720 },
      },
    );
    const { summary, recipients } = rowsOf(events);
    expect(summary.status).toBe("mixed");
    expect(summary.errorCodes).toEqual([4432, 4720]);
    expect(recipients.map((row) => [row.recipient, row.status, row.errorCode])).toEqual([
      ["+15550000001", "failed", 4432],
      ["+15550000002", "delivered", null],
      ["+15550000003", "failed", 4720],
      ["+15550000004", "failed", 4720],
    ]);
  });

  it("leaves absent application id, tag and segment count null", () => {
    const events = outboundEvents({ id: "m-3", time: TIME }, { "+15550000001": { status: "sent" } });
    for (const event of events) {
      delete event.message.segmentCount;
    }
    const { summary } = rowsOf(events);
    expect(summary).toMatchObject({ applicationId: null, tag: null, segmentCount: null, status: "sent" });
  });

  it("counts events by forwarding state and takes updatedAt as given", () => {
    const events = outboundEvents({ id: "m-4", time: TIME }, { "+15550000001": { status: "delivered" } });
    const { summary } = rowsOf(events, { forwardStates: ["delivered", "dead", "pending"], updatedAt: 42 });
    expect(summary).toMatchObject({ pending: 1, dead: 1, updatedAt: 42 });
  });

  it("counts the events no destination took as unrouted, and only those", () => {
    const events = outboundEvents({ id: "m-5", time: TIME }, { "+15550000001": { status: "delivered" } });
    const message = held(events);
    const [first] = message.records;
    if (!first) throw new Error("no record");
    first.deliveries = {};
    const { summary } = toIndexRows(message.state, message.records, 0);
    expect(summary).toMatchObject({ unrouted: 1, pending: 0, dead: 0, events: events.length });
    expect(toMessageView(message.state, message.records).events.map((e) => e.unrouted ?? false)).toEqual(
      message.records.map((record) => record === first),
    );
  });

  it("summarizes an inbound message: received, every address of message.to searchable", () => {
    const to = ["+15552229999", "+15553334444"];
    const { summary, recipients } = rowsOf(inboundEvents({ id: "in-1", time: TIME, applicationId: APP }, to));
    expect(summary).toMatchObject({ direction: "inbound", status: "received", to, errorCodes: [], time: T });
    expect(recipients).toEqual([
      { recipient: "+15552229999", status: "received", errorCode: null, carrier: null, deliveredAt: null },
      { recipient: "+15553334444", status: "unknown", errorCode: null, carrier: null, deliveredAt: null },
    ]);
  });

  it("is the same whatever order the records come in", () => {
    const events = outboundEvents(
      { id: "m-5", time: TIME, tag: "t" },
      {
        "+15550000001": { status: "failed", errorCode: 9902, carrier: "A" },
        "+15550000002": { status: "read", carrier: "B" },
      },
    );
    const message = held(events);
    const expected = toIndexRows(message.state, message.records, 0);
    const reversed = [...message.records].reverse();
    expect(toIndexRows(message.state, reversed, 0)).toEqual(expected);
    expect(toIndexRows(held([...events].reverse()).state, message.records, 0)).toEqual(expected);
  });

  it("refuses a message without records", () => {
    const { state } = held(outboundEvents({ id: "m-6", time: TIME }, { "+15550000001": { status: "sent" } }));
    expect(() => toIndexRows(state, [], 0)).toThrow(RangeError);
  });
});

describe("toIndexRows: the recipient rows", () => {
  it("ends delivered after a 9902 followed by a later delivery: no error code, delivered time kept", () => {
    const events = outboundEvents(
      { id: "m-7", time: TIME },
      { "+15550000001": { status: "failed", errorCode: 9902, afterMs: 7_200_000 } },
    );
    const late = outboundEvents(
      { id: "m-7", time: TIME },
      { "+15550000001": { status: "delivered", afterMs: 7_300_000, carrier: "Verizon" } },
    );
    const { summary, recipients } = rowsOf([...events, ...late]);
    expect(summary).toMatchObject({ status: "delivered", errorCodes: [] });
    expect(recipients[0]).toMatchObject({ status: "delivered", errorCode: null, deliveredAt: T + 7_300_000 });
    expect(recipients[0]?.carrier).toBe("Verizon");
  });

  it("keeps a 9902 failure as failed with its code when nothing follows", () => {
    const events = outboundEvents(
      { id: "m-8", time: TIME },
      { "+15550000001": { status: "failed", errorCode: 9902 } },
    );
    const { summary, recipients } = rowsOf(events);
    expect(summary.errorCodes).toEqual([9902]);
    expect(recipients[0]).toMatchObject({ status: "failed", errorCode: 9902, deliveredAt: null });
  });

  it("gives a read recipient the time of its delivery", () => {
    const events = outboundEvents(
      { id: "m-9", time: TIME },
      { "+15550000001": { status: "read", afterMs: 2_000 } },
    );
    expect(rowsOf(events).recipients[0]).toMatchObject({ status: "read", deliveredAt: T + 2_000 });
  });

  it("names the carrier of the deciding event, else of the latest event naming one", () => {
    const events = outboundEvents(
      { id: "m-10", time: TIME },
      { "+15550000001": { status: "delivered" }, "+15550000002": { status: "sending" } },
    );
    const sending = events.find((event) => event.to === "+15550000002");
    if (sending) sending.carrierName = "AT&T";
    const { recipients } = rowsOf(events);
    expect(recipients.map((row) => row.carrier)).toEqual([null, "AT&T"]);
  });

  it("keeps a recipient no event has reported on yet as unknown", () => {
    const events = outboundEvents({ id: "m-11", time: TIME }, { "+15550000001": { status: "sent" } });
    const second = events.map((event) => ({
      ...event,
      message: { ...event.message, to: ["+15550000001", "+15550000002"] },
    }));
    const { summary, recipients } = rowsOf(second);
    expect(summary.to).toEqual(["+15550000001", "+15550000002"]);
    expect(recipients.map((row) => [row.recipient, row.status])).toEqual([
      ["+15550000001", "sent"],
      ["+15550000002", "unknown"],
    ]);
  });
});

describe("epochMillis", () => {
  it("reads 0, 3 and 6 fractional digits and numeric offsets", () => {
    expect(epochMillis("2024-09-14T18:20:16Z")).toBe(Date.parse("2024-09-14T18:20:16Z"));
    expect(epochMillis("2024-09-14T18:20:16.123Z")).toBe(Date.parse("2024-09-14T18:20:16.123Z"));
    expect(epochMillis("2024-09-14T18:20:16.123456Z")).toBe(Date.parse("2024-09-14T18:20:16.123Z"));
    expect(epochMillis("2024-09-14T20:20:16.5+02:00")).toBe(Date.parse("2024-09-14T18:20:16.500Z"));
  });

  it("counts a leap second as the next second", () => {
    expect(epochMillis("2016-12-31T23:59:60Z")).toBe(Date.parse("2017-01-01T00:00:00Z"));
  });
});

/**
 * Bandwidth-shaped sample callbacks for `npm run send`, built from the facts in DESIGN.md (not copied from
 * Bandwidth's pages): one of each event type the receiver knows, a group message, a failure with an error
 * code, and synthetic messages for a quick load. Numbers are from the fictional 555-01xx range.
 */
import { randomBytes } from "node:crypto";
import { LOCATION_RESPONSE_TYPES } from "../../src/bandwidth/event-types.ts";
import type { BandwidthEventInput } from "../../src/bandwidth/schema.ts";

/** One callback body: Bandwidth sends a JSON array, in practice of one event. */
export interface SampleCallback {
  /** What the callback shows, for the output (no numbers, no text). */
  label: string;
  events: BandwidthEventInput[];
}

const APPLICATION_ID = "5c0a1b2e-7d4f-4e8a-9b61-0d3f2a7c9e15";
const BUSINESS_NUMBER = "+19195550100";
const CUSTOMER_NUMBER = "+19195550150";
const RECIPIENTS = ["+19195550101", "+19195550102", "+19195550103"] as const;

/** A message id shaped like Bandwidth's: the creation time in ms, then 16 random lower-case characters. */
export function bandwidthMessageId(nowMs: number = Date.now()): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const random = [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join("");
  return `${nowMs}${random}`;
}

type Message = BandwidthEventInput["message"];

/** Builds the events of one message; `at(step)` is the RFC 3339 time `step` seconds into the message. */
class MessageStory {
  readonly message: Message;
  private readonly start: number;

  constructor(direction: "in" | "out", start: number, fields: Partial<Message>) {
    this.start = start;
    const outbound = direction === "out";
    this.message = {
      id: bandwidthMessageId(start),
      owner: BUSINESS_NUMBER,
      applicationId: APPLICATION_ID,
      time: this.at(0),
      segmentCount: 1,
      direction,
      to: outbound ? [RECIPIENTS[0]] : [BUSINESS_NUMBER],
      from: outbound ? BUSINESS_NUMBER : CUSTOMER_NUMBER,
      text: "",
      ...fields,
    };
  }

  at(step: number): string {
    return new Date(this.start + step * 1_000).toISOString();
  }

  /** One event about `recipient` (status events) or the receiving number (inbound), at `step`. */
  event(type: string, step: number, extra: Partial<BandwidthEventInput> = {}): SampleCallback {
    // Status events are about one recipient; inbound ones name the Bandwidth number that received them.
    const recipient = this.message.to[0] ?? BUSINESS_NUMBER;
    const event = {
      type,
      time: this.at(step),
      to: recipient,
      description: "ok",
      message: this.message,
      ...extra,
    };
    const channel = this.message.channel;
    return { label: typeof channel === "string" ? channel : "SMS", events: [event] };
  }
}

function labelled(label: string, callback: SampleCallback): SampleCallback {
  return { ...callback, label };
}

/**
 * The default set, in sending order (a message's sending event before its delivered event): an SMS's whole
 * life, a group MMS delivered to three recipients, a failure with error code 4720, an RBM message that is
 * read, an inbound SMS, an RBM suggestion response and the RBM location response in each of its spellings.
 */
export function defaultSamples(nowMs: number = Date.now()): SampleCallback[] {
  const base = nowMs - 60_000;
  const sms = new MessageStory("out", base, { tag: "npm-run-send" });
  const group = new MessageStory("out", base + 1, {
    to: [...RECIPIENTS],
    channel: "MMS",
    media: ["https://example.com/media/sample.png"],
  });
  const failed = new MessageStory("out", base + 2, { to: [RECIPIENTS[1]] });
  const rbm = new MessageStory("out", base + 3, { channel: "RBM" });
  const inbound = new MessageStory("in", base + 4, { text: "Hello from npm run send" });
  const suggestion = new MessageStory("in", base + 5, {
    channel: "RBM",
    suggestionResponse: { text: "Yes", postbackData: Buffer.from("confirm-appointment").toString("base64") },
  });
  const groupEvents = (type: string, step: number) =>
    RECIPIENTS.map((to, index) =>
      labelled(`group MMS, recipient ${index + 1} of 3`, group.event(type, step, { to })),
    );
  return [
    sms.event("message-sending", 0),
    sms.event("message-sent", 1),
    sms.event("message-delivered", 3),
    ...groupEvents("message-sending", 0),
    ...groupEvents("message-delivered", 4),
    labelled("SMS failure", failed.event("message-sending", 0)),
    labelled(
      "SMS failure",
      failed.event("message-failed", 2, {
        errorCode: 4720,
        description: "Carrier rejected the message: invalid destination",
      }),
    ),
    rbm.event("message-sending", 0),
    rbm.event("message-delivered", 2),
    rbm.event("message-read", 9, { eventTime: rbm.at(8) }),
    inbound.event("message-received", 0, { description: "Incoming message received" }),
    suggestion.event("suggestion-response", 0, { description: "Suggestion response received" }),
    ...LOCATION_RESPONSE_TYPES.map((type, index) => {
      const location = new MessageStory("in", base + 6 + index, {
        channel: "RBM",
        locationResponse: { latitude: 35.7796, longitude: -78.6382 },
      });
      return labelled(`RBM, spelled ${type}`, location.event(type, 0, { description: "Location received" }));
    }),
  ];
}

/** A synthetic SMS for load: its sending and its delivered callback, in that order. */
export function syntheticMessage(index: number, nowMs: number = Date.now()): SampleCallback[] {
  const recipient = `+1919555${String(101 + (index % 99)).padStart(4, "0")}`;
  const story = new MessageStory("out", nowMs - 10_000 + index, { to: [recipient] });
  return [
    labelled("load", story.event("message-sending", 0)),
    labelled("load", story.event("message-delivered", 2)),
  ];
}
